import { InputError, NotAllowedError, isValidName, type TeamRole } from '@paved/model';
import type { SignInIdentity } from '@paved/store';
import type { OidcSettings } from './settings.js';

/** Who the provider says signed in, checked: what a sign-in acts on. */
export interface IdpUser {
  identity: SignInIdentity;
  /** The Paved name a first sign-in gives the user. */
  name: string;
  groups: string[];
}

/** What the groups grant: the teams (the strongest role when several groups name a team) and, if configured, admin. */
export interface GroupGrants {
  teams: { team: string; role: TeamRole }[];
  /** undefined when no admin group is configured: sign-in leaves the flag alone. */
  admin?: boolean;
}

const ROLE_STRENGTH: Readonly<Record<TeamRole, number>> = { viewer: 1, member: 2, owner: 3 };
const MAX_GROUPS = 1000;
const MAX_CLAIM_LENGTH = 1024;

/**
 * The signed-in user from the ID token's claims (merged with the userinfo response): the
 * subject, a valid Paved name, the groups, and the email domain when domains are allow-listed.
 * Anything malformed is refused naming the claim; a domain outside the list is not allowed.
 */
export function idpUserFrom(claims: Readonly<Record<string, unknown>>, settings: OidcSettings): IdpUser {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '' || subject.length > MAX_CLAIM_LENGTH) throw claimInvalid('sub', 'must be a non-empty string');
  if (settings.allowedDomains) checkDomain(claims, settings.allowedDomains);
  return { identity: { issuer: settings.issuer, subject }, name: nameFrom(claims, settings.usernameClaim), groups: groupsFrom(claims, settings.groupsClaim) };
}

/** Maps groups to team roles by the pattern, and to admin by the admin group. Groups that match neither are ignored. */
export function grantsFrom(groups: readonly string[], settings: Pick<OidcSettings, 'groupPattern' | 'adminGroup'>): GroupGrants {
  const teams = new Map<string, TeamRole>();
  for (const group of groups) {
    const match = settings.groupPattern.exec(group)?.groups;
    const team = match?.team;
    const role = match?.role as TeamRole | undefined;
    if (!isValidName(team) || role === undefined || !(role in ROLE_STRENGTH)) continue;
    const held = teams.get(team);
    if (held === undefined || ROLE_STRENGTH[role] > ROLE_STRENGTH[held]) teams.set(team, role);
  }
  return {
    teams: [...teams].map(([team, role]) => ({ team, role })),
    ...(settings.adminGroup === undefined ? {} : { admin: groups.includes(settings.adminGroup) }),
  };
}

function nameFrom(claims: Readonly<Record<string, unknown>>, claim: string): string {
  const raw = claims[claim];
  if (typeof raw !== 'string' || raw === '') {
    throw claimInvalid(claim, `is missing: Paved names a new user after it (set PAVED_OIDC_USERNAME_CLAIM to a claim your provider sends)`);
  }
  // An email address (Entra ID's preferred_username) gives its local part.
  const name = (raw.includes('@') ? raw.slice(0, raw.lastIndexOf('@')) : raw).toLowerCase();
  if (!isValidName(name)) {
    throw claimInvalid(claim, `"${raw.slice(0, 80)}" does not make a Paved name (lowercase letters, digits and "-", starting with a letter, at most 40 characters)`);
  }
  return name;
}

function groupsFrom(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  const raw = claims[claim];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_GROUPS || !raw.every((g) => typeof g === 'string' && g.length <= MAX_CLAIM_LENGTH)) {
    throw claimInvalid(claim, `must be an array of at most ${MAX_GROUPS} strings`);
  }
  return raw as string[];
}

function checkDomain(claims: Readonly<Record<string, unknown>>, domains: readonly string[]): void {
  const email = claims.email;
  const domain = typeof email === 'string' ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : undefined;
  if (domain === undefined || claims.email_verified !== true || !domains.includes(domain)) {
    throw new NotAllowedError(`Only users with a verified email address in ${domains.join(', ')} may sign in to this Paved`, {
      code: 'oidc_domain_not_allowed', issues: [{ path: 'email', message: 'not a verified address in an allowed domain' }],
    });
  }
}

function claimInvalid(claim: string, message: string): InputError {
  return new InputError(`The identity provider's "${claim}" claim ${message}`, { code: 'oidc_claim_invalid', issues: [{ path: claim, message }] });
}
