import { NotAllowedError, type ApplyPolicyResult, type PolicyDetail, type PolicyManifest, type PolicySummary } from '@paved/model';
import type { Store } from '@paved/store';
import { actsForPlatformTeam, type Principal } from '../access/principal.js';
import type { PolicyService } from './service.js';

/**
 * Everyone signed in reads the policies (a developer should know the guardrails before asking).
 * Members of a platform team apply the policies their team owns, platform admins any; the
 * owner recorded with a policy's first version stays its owner.
 */
export class AuthorizedPolicyService implements PolicyService {
  constructor(private readonly inner: PolicyService, private readonly store: Store) {}

  check(input: unknown): PolicyManifest {
    return this.inner.check(input);
  }

  async apply(principal: Principal, input: unknown): Promise<ApplyPolicyResult> {
    const manifest = this.inner.check(input);
    const { name, owner: ownerName } = manifest.metadata;
    const owner = await this.store.getTeam({ name: ownerName });
    if (!owner || !actsForPlatformTeam(principal, owner, 'write')) {
      const why = owner && !owner.platform
        ? `team "${ownerName}" is not a platform team (a platform admin makes it one: paved teams update ${ownerName} --platform)`
        : `you are not a member of the platform team "${ownerName}"`;
      throw new NotAllowedError(`You may not apply policy ${name}: ${why}`, { code: 'not_platform_team', issues: [{ path: 'metadata.owner', message: why }] });
    }
    return this.inner.apply(principal, input);
  }

  list(principal: Principal): Promise<PolicySummary[]> {
    return this.inner.list(principal);
  }

  get(principal: Principal, name: string): Promise<PolicyDetail> {
    return this.inner.get(principal, name);
  }
}
