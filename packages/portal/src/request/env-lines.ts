import type { Credentials } from '@paved/model';

/**
 * Credentials as dotenv lines, named as `paved env` names them (orders-db's password →
 * ORDERS_DB_PASSWORD), double-quoted with backslash escapes so dotenv, docker compose and
 * `node --env-file` read the values back exactly.
 */
export function envLines(credentials: Credentials): string {
  const variable = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const quoted = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  return Object.entries(credentials.values)
    .map(([output, value]) => `${variable(credentials.instance)}_${variable(output)}=${quoted(value)}`)
    .join('\n') + '\n';
}
