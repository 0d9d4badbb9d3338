import type { DeviceLogin, DevicePoll, IssuedToken, OidcInfo, UserIdentity } from '@paved/model';
import { requireAdmin, type Principal } from '../../access/principal.js';
import type { RequestOrigin } from '../../http/request-context.js';
import type { CallbackOutcome, OidcService } from './service.js';

/**
 * Signing in is for anyone who is not signed in yet: those routes authenticate the person
 * through the identity provider, not a token. Linking a user to a subject is for platform
 * admins; ending a session, for whoever holds its token (a token never outlives being shown).
 */
export class AuthorizedOidcService implements OidcService {
  constructor(private readonly inner: OidcService) {}

  info(): Promise<OidcInfo> {
    return this.inner.info();
  }

  startLogin(request: { handoff?: { port: number; challenge: string } }): Promise<{ url: string; state: string; ttlSeconds: number }> {
    return this.inner.startLogin(request);
  }

  finishLogin(query: URLSearchParams, browserState: string | undefined, origin?: RequestOrigin): Promise<CallbackOutcome> {
    return this.inner.finishLogin(query, browserState, origin);
  }

  redeemHandoff(request: { code: string; verifier: string }, origin?: RequestOrigin): Promise<IssuedToken> {
    return this.inner.redeemHandoff(request, origin);
  }

  startDevice(): Promise<DeviceLogin> {
    return this.inner.startDevice();
  }

  pollDevice(request: { loginId: string }, origin?: RequestOrigin): Promise<DevicePoll> {
    return this.inner.pollDevice(request, origin);
  }

  linkUser(principal: Principal, userName: string, request: { subject: string }): Promise<UserIdentity> {
    requireAdmin(principal, 'link users to identity provider subjects');
    return this.inner.linkUser(principal, userName, request);
  }

  endSession(principal: Principal): Promise<void> {
    return this.inner.endSession(principal);
  }
}
