/**
 * PUBLIC may connect to every database by default, the server's own `postgres` and `template1`
 * included, so a tenant's login could open them and read whatever is kept there. With
 * `closeServerDatabases` (the default) the driver takes CONNECT away from PUBLIC on every
 * database that still grants it (tenant databases never do: see provision.ts), once per target
 * and admin pool, at preflight or before the first create. Only a superuser may revoke on a
 * database it does not own; with another admin, preflight and create print the statements for
 * a superuser to run once, granting the admin back the database it connects to.
 */
import type pg from 'pg';
import { quoteIdent } from './quote.js';
import type { PostgresTargetConfig } from './target-config.js';

/** What the target's server databases look like after the driver did what it may. */
export interface ServerDatabases {
  /** Databases PUBLIC may still connect to (empty when closed, or when the target leaves them open). */
  open: string[];
  /** The statements a superuser runs once to close them; '' when nothing is left to do. */
  fix: string;
}

// A NULL datacl is the default ACL, in which PUBLIC may connect: expand it with acldefault.
const PUBLIC_CONNECT_SQL = `
SELECT d.datname::text AS name
  FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
 WHERE d.datallowconn AND a.grantee = 0 AND a.privilege_type = 'CONNECT'
 ORDER BY 1`;

export async function closeServerDatabases(pool: pg.Pool, config: PostgresTargetConfig, superuser: boolean): Promise<ServerDatabases> {
  if (!config.closeServerDatabases) return { open: [], fix: '' };
  let open = await publicDatabases(pool);
  if (superuser && open.length > 0) {
    await pool.query(open.map((name) => `REVOKE CONNECT ON DATABASE ${quoteIdent(name)} FROM PUBLIC;`).join('\n'));
    open = await publicDatabases(pool);
  }
  return { open, fix: fixFor(open, config) };
}

async function publicDatabases(pool: pg.Pool): Promise<string[]> {
  return (await pool.query<{ name: string }>(PUBLIC_CONNECT_SQL)).rows.map((row) => row.name);
}

/** The SQL that closes `open`, keeping the admin's own way in (it connects to the URL's database). */
function fixFor(open: readonly string[], config: PostgresTargetConfig): string {
  if (open.length === 0) return '';
  const own = config.admin.path || 'postgres';
  const grant = open.includes(own) ? ` GRANT CONNECT ON DATABASE ${quoteIdent(own)} TO ${quoteIdent(config.admin.user)};` : '';
  return `REVOKE CONNECT ON DATABASE ${open.map(quoteIdent).join(', ')} FROM PUBLIC;${grant}`;
}

/** The problem of databases left open: what it means, the fix, and the way out. */
export function openDatabasesProblem(databases: ServerDatabases): string {
  return `PUBLIC may connect to ${databases.open.map((name) => `"${name}"`).join(', ')}, so every tenant login can open ${databases.open.length === 1 ? 'it' : 'them'} and only a superuser can close ${databases.open.length === 1 ? 'it' : 'them'}; as a superuser run once: ${databases.fix} (or set config.closeServerDatabases: false to leave them open)`;
}
