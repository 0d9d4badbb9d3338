import { NotAllowedError } from '@paved/model';
import type { Store } from '@paved/store';
import { actsForPlatformTeam, can, type Principal, type TeamAccess } from '../../access/principal.js';
import { productNotFound } from '../../products/service.js';

/**
 * What a product's owner team sees about its product across teams (analytics, interventions,
 * feedback comments, help requests; with `write`, recording a manual fix): the members of that
 * platform team, and platform admins.
 * Returns the owner team's name; 404 for an unknown product, 403 `not_platform_team` otherwise.
 */
export async function requireProductOwner(store: Store, principal: Principal, product: string, what: string, access: TeamAccess = 'read'): Promise<string> {
  const ownerName = await store.getProductOwner(product);
  if (ownerName === undefined) throw productNotFound(product);
  const owner = await store.getTeam({ name: ownerName });
  // can() lets platform admins read every team, unless their token is narrowed to another one.
  if (owner && (actsForPlatformTeam(principal, owner, access) || (principal.user.admin && can(principal, owner.id, access)))) return ownerName;
  if (principal.token.readOnly && access !== 'read') {
    throw new NotAllowedError(`This token is read-only; use a token that may change things (to ${what})`, { code: 'token_scope' });
  }
  throw new NotAllowedError(`Only the owner team of ${product} ("${ownerName}") and platform admins see ${what}`, {
    code: 'not_platform_team', issues: [{ path: 'product', message: `owned by team "${ownerName}"` }],
  });
}

/** Whether the caller may see platform-wide measures: a platform admin, or a member of any platform team. */
export function seesPlatformMeasures(principal: Principal): boolean {
  if (principal.user.admin && principal.token.teamId === undefined) return true;
  return principal.platformTeamIds.some((teamId) => can(principal, teamId, 'read'));
}
