import { ConflictError, UnauthenticatedError, type IssuedToken, type User } from '@paved/model';
import type { MembershipSync, Store } from '@paved/store';
import type { AuditLog } from '../../audit/log.js';
import type { RequestOrigin } from '../../http/request-context.js';
import { issueToken } from '../service.js';
import { grantsFrom, type IdpUser } from './claims.js';
import type { OidcSettings } from './settings.js';

export interface SignInDeps {
  store: Store;
  audit: AuditLog;
  settings: OidcSettings;
  now: () => number;
  /** The request signing in, for its audit records. */
  origin?: RequestOrigin | undefined;
}

/** How the user signed in: a browser (the portal, or the CLI's browser hand-off) or the CLI's device flow. */
export type SignInVia = 'browser' | 'cli-browser' | 'cli-device';

export interface SignedIn {
  user: User;
  /** Whether this sign-in created the user. */
  created: boolean;
  sync: MembershipSync;
}

/**
 * The one place where a person signs in with the identity provider, after the provider's
 * answer has been validated: finds the user linked to the subject (or creates one, never taking
 * over a user of that name who is not linked), refuses a disabled user, sets the admin flag
 * from the admin group (when one is configured), replaces the memberships the IdP's groups
 * give and keeps those set in Paved, and records the sign-in in the audit log and as a
 * `user.signed-in` event (with `team.member-added`/`-removed` for each change). Everything is
 * checked before the first write, so a refused sign-in writes nothing but its audit record.
 */
export async function signIn(deps: SignInDeps, idp: IdpUser, via: SignInVia): Promise<SignedIn> {
  const { store, settings } = deps;
  const grants = grantsFrom(idp.groups, settings);
  const teams = await Promise.all(grants.teams.map(async (grant) => ({ ...grant, found: await store.getTeam({ name: grant.team }) })));
  const desired = teams.flatMap((t) => (t.found ? [{ teamId: t.found.id, role: t.role }] : []));

  let user = await store.findUserByIdentity(idp.identity);
  const created = user === undefined;
  if (user === undefined) {
    if (await store.getUser({ name: idp.name })) throw userConflict(idp);
    user = await store.createLinkedUser({ name: idp.name, admin: grants.admin ?? false, identity: idp.identity }).catch((error: unknown) => {
      throw (error as { code?: string }).code === 'user_exists' ? userConflict(idp) : error;
    });
    await store.appendEvent({ kind: 'user.created', actor: user.name, data: { user: user.name, admin: user.admin, source: 'oidc' } });
  } else {
    if (user.disabled) {
      await deps.audit.record({ action: 'signin', actor: user.name, target: { user: user.name }, outcome: { result: 'refused', status: 401, code: 'user_disabled' }, summary: { via, issuer: idp.identity.issuer } }, deps.origin);
      throw new UnauthenticatedError(`User "${user.name}" is disabled; ask a platform admin`, { code: 'user_disabled' });
    }
    if (grants.admin !== undefined && grants.admin !== user.admin) user = (await store.setUserAdmin(user.id, grants.admin)) ?? user;
  }

  const sync = await store.syncMemberships(user.id, desired);
  for (const change of [...sync.added, ...sync.changed]) {
    await store.appendEvent({ kind: 'team.member-added', teamId: change.teamId, actor: user.name, data: { team: change.teamName, user: user.name, role: change.role, source: 'oidc' } });
  }
  for (const change of sync.removed) {
    await store.appendEvent({ kind: 'team.member-removed', teamId: change.teamId, actor: user.name, data: { team: change.teamName, user: user.name, role: change.role, source: 'oidc' } });
  }
  await deps.audit.record({
    action: 'signin',
    actor: user.name,
    target: { user: user.name },
    summary: { via, issuer: idp.identity.issuer, subject: idp.identity.subject, admin: user.admin, created, teams: grants.teams.map((t) => `${t.team}:${t.role}`) },
  }, deps.origin);
  await store.appendEvent({
    kind: 'user.signed-in',
    actor: user.name,
    data: {
      user: user.name, via, issuer: idp.identity.issuer, subject: idp.identity.subject, admin: user.admin,
      teams: grants.teams.map((t) => `${t.team}:${t.role}`), unknownTeams: teams.filter((t) => !t.found).map((t) => t.team),
    },
  });
  return { user, created, sync };
}

/** A sign-in session for the user: an API token that expires after the configured session time. Expired sessions of the user are removed. */
export async function issueSession(deps: SignInDeps, user: User, via: SignInVia): Promise<IssuedToken> {
  await deps.store.deleteExpiredTokens(user.id, 'oidc', new Date(deps.now()).toISOString());
  return issueToken({ store: deps.store, audit: deps.audit, now: deps.now, origin: deps.origin }, user, { name: via === 'browser' ? 'browser-session' : 'cli-session' }, user.name, { ttlMs: deps.settings.sessionTtlMs });
}

function userConflict(idp: IdpUser): ConflictError {
  return new ConflictError(
    `A user named "${idp.name}" already exists in Paved and is not linked to this sign-in, so it is not taken over. `
    + `If it is you, a platform admin can link it: paved users link ${idp.name} --subject '${idp.identity.subject}'`,
    { code: 'oidc_user_conflict', issues: [{ path: 'name', message: 'belongs to a user not linked to this identity provider subject' }] },
  );
}
