import { InputError } from './errors.js';

/**
 * Names that users choose (teams, instances, products, plans, users) share one grammar: a DNS
 * label. Lowercase letters, digits and '-', starting with a letter, at most 40 characters. This
 * keeps them safe in URLs, in SQL identifiers derived from them and in environment variable
 * names, and rules out quotes and SQL outright.
 */
export const NAME_PATTERN = '^[a-z][a-z0-9-]{0,39}$';
const nameRe = new RegExp(NAME_PATTERN);
export const NAME_MAX_LENGTH = 40;

export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && nameRe.test(value) && !value.endsWith('-');
}

/** Throws InputError naming `field` when `value` is not a valid name. */
export function assertName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InputError(`${field} is required`, { code: 'name_invalid', issues: [{ path: field, message: 'is required' }] });
  }
  if (value.length > NAME_MAX_LENGTH) {
    const message = `must be at most ${NAME_MAX_LENGTH} characters (got ${value.length})`;
    throw new InputError(`${field} ${message}`, { code: 'name_invalid', issues: [{ path: field, message }] });
  }
  if (!isValidName(value)) {
    const message = 'must start with a lowercase letter and contain only lowercase letters, digits and "-" (not at the end)';
    throw new InputError(`${field} ${message}`, { code: 'name_invalid', issues: [{ path: field, message }] });
  }
  return value;
}

/**
 * The deterministic name of an instance's resource on its target, chosen once when the
 * instance is created and stored (intent before side effect). `pv_<team>_<name>_<last 8 hex of id>`
 * with '-' folded to '_', truncated to at most 56 characters so that, with a rotation suffix
 * (`_r<n>`), it stays within PostgreSQL's 63-byte identifier limit and MariaDB's 64. Only [a-z0-9_]: safe unquoted in SQL, Redis key prefixes and NATS
 * subjects. The id suffix keeps names unique when a team re-creates an instance after deleting it.
 */
export function externalNameFor(team: string, name: string, id: string): string {
  const slug = `${team}_${name}`.replace(/-/g, '_').replace(/[^a-z0-9_]/g, '').slice(0, 44);
  // The last 8 hex digits: random in every UUID, while a version 7 id (newId) starts with its creation time.
  const suffix = id.replace(/[^a-f0-9]/g, '').slice(-8).padStart(8, '0');
  return `pv_${slug}_${suffix}`;
}
