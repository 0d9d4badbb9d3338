import type { DeletionStep, DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { quoteIdent } from './quote.js';
import { isPgCode, wrapPgError } from './pg-errors.js';
import { credentialRoles, terminateSessions } from './logins.js';

type Connect = (ctx: DriverContext) => TargetConnection;

/**
 * The deletion ladder, in order. Each rung is idempotent (IF EXISTS, or a check first), so the
 * engine can resume after any of them. Credentials go first so nothing new can connect while
 * the rest runs; the role goes last because it owns the database.
 */
export function deletionSteps(connect: Connect): DeletionStep[] {
  const rung = (name: string, run: (connection: TargetConnection, ident: string, externalName: string) => Promise<void>): DeletionStep => ({
    name,
    async run(ctx) {
      ctx.signal.throwIfAborted();
      const externalName = ctx.instance.externalName;
      const connection = connect(ctx);
      try {
        await run(connection, quoteIdent(externalName), externalName);
      } catch (error) {
        throw wrapPgError(error, name, externalName);
      }
    },
  });

  return [
    // Every credential of the resource goes, whatever rotation it is at: the owner role and
    // each `<ext>_r<n>` login (logins.ts).
    rung('revoke-login', async ({ pool }, _ident, name) => {
      for (const role of await credentialRoles(pool, name)) {
        try {
          await pool.query(`ALTER ROLE ${quoteIdent(role)} NOLOGIN`);
        } catch (error) {
          if (!isPgCode(error, '42704')) throw error; // undefined_object: dropped meanwhile
        }
      }
    }),
    rung('terminate-sessions', async ({ pool }, _ident, name) => {
      await terminateSessions(pool, await credentialRoles(pool, name));
      await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    }),
    rung('drop-database', async (connection, ident) => {
      // FORCE (PostgreSQL 13+) ends sessions that slipped in; without it DROP waits ~5 s then fails.
      const force = (await connection.facts()).versionNum >= 130000 ? ' WITH (FORCE)' : '';
      await connection.pool.query(`DROP DATABASE IF EXISTS ${ident}${force}`);
    }),
    rung('drop-role', async ({ pool }, ident, name) => {
      // Logins first: they are members of the owner role.
      for (const role of await credentialRoles(pool, name)) if (role !== name) await pool.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
      await pool.query(`DROP ROLE IF EXISTS ${ident}`);
    }),
  ];
}
