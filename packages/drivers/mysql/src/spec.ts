import { DriverError } from '@paved/model';
import { credentialName, type DriverContext } from '@paved/driver-api';

export const DEFAULT_CONNECTION_LIMIT = 20;

/** What one instance asks for on the server, validated once per call. */
export interface WantedResource {
  /** The database, named after the external name. */
  database: string;
  /** The login of the current credential: credentialName(externalName, rotation). */
  username: string;
  /** MAX_USER_CONNECTIONS of each login; 0 means no limit. */
  connectionLimit: number;
}

/**
 * Names and limits an instance asks for. The external name is checked again here, although the
 * engine makes it: it is spliced into GRANT/CREATE USER text, and [a-z0-9_] keeps that safe.
 * MariaDB allows 64 characters for a database and 80 for a user name.
 */
export function wantedResource(ctx: Pick<DriverContext, 'instance'>, rotation = ctx.instance.rotation ?? 0): WantedResource {
  const database = ctx.instance.externalName;
  if (!/^[a-z0-9_]{1,64}$/.test(database)) {
    throw new DriverError(`mysql: external name "${database.slice(0, 80)}" must be 1–64 characters of [a-z0-9_]`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: 'instance.externalName', message: 'must be 1–64 characters of [a-z0-9_]' }],
    });
  }
  const value = ctx.instance.values.connectionLimit ?? DEFAULT_CONNECTION_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000) {
    throw new DriverError(`mysql: connectionLimit for "${database}" must be an integer from 0 (no limit) to 100000`, {
      code: 'invalid_value',
      retryable: false,
      issues: [{ path: 'values.connectionLimit', message: 'must be an integer from 0 to 100000' }],
    });
  }
  return { database, username: credentialName(database, rotation), connectionLimit: value };
}
