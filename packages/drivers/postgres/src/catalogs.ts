/**
 * Server-wide catalogs every role may read in every database: who is connected where, which
 * roles are members of which, every database's activity. Inside each tenant database the driver
 * takes SELECT on them away from PUBLIC (docs/drivers/postgres.md, "Isolation", lists what
 * stays visible and why). Only those whose loss breaks nothing an application, a migration
 * tool, `psql`'s `\d` commands or `pg_dump` of its own database needs: `pg_roles`,
 * `pg_database`, `pg_shdescription` and `pg_db_role_setting` stay readable because `pg_dump`
 * (plain or `-Fc`) and `\d` read them, and role names cannot be hidden anyway
 * (`pg_get_userbyid` names any role from its oid).
 */
import type pg from 'pg';
import { pgLib } from './pg.js';
import type { PostgresTargetConfig } from './target-config.js';

export const HIDDEN_CATALOGS = Object.freeze([
  'pg_catalog.pg_stat_activity', // every session's login, database, client address and application
  'pg_catalog.pg_stat_database', // every database's name and activity
  'pg_catalog.pg_stat_database_conflicts', // every database's name
  'pg_catalog.pg_auth_members', // which role is a member of which (the admin of every tenant, rotation logins)
  'pg_catalog.pg_group', // the same membership, as groups
  'pg_catalog.pg_prepared_xacts', // owners and databases of others' prepared transactions
]);

/**
 * Revokes PUBLIC's SELECT on HIDDEN_CATALOGS in `database`, as the admin connected to it (a
 * grant on a catalog, shared ones included, is kept per database). Idempotent. A superuser's
 * work: the catalogs belong to the bootstrap superuser, and another role's REVOKE does nothing.
 */
export async function restrictCatalogs(config: PostgresTargetConfig, database: string): Promise<void> {
  const url = new URL(config.admin.href);
  url.pathname = `/${encodeURIComponent(database)}`;
  const client = new (pgLib().Client)({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`REVOKE SELECT ON ${HIDDEN_CATALOGS.join(', ')} FROM PUBLIC`);
  } finally {
    // Not waited for: the REVOKE is committed, and the server acknowledges a goodbye only once
    // the backend has exited (1–9 ms), which nothing after this needs.
    void client.end().catch(() => {});
  }
}
