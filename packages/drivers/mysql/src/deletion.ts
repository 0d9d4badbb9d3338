import { isCredentialName, type DeletionStep, type DriverContext } from '@paved/driver-api';
import type { TargetConnection } from './pools.js';
import { quoteIdent } from './quote.js';
import { wrapMysqlError } from './mysql-errors.js';
import { credentialAccounts, dropAccounts, killSessions } from './accounts.js';
import { wantedResource } from './spec.js';

type Connect = (ctx: DriverContext) => TargetConnection;

/**
 * The deletion ladder, in order. Each rung is idempotent (IF EXISTS, or a read first), so the
 * engine can resume after any of them. Logins go first, every rotation of them, so nothing new
 * can connect; then the sessions they still hold, because DROP USER leaves those open; the
 * database last. Grants are stored apart from databases and survive DROP DATABASE, which is one
 * more reason the users must be gone before it.
 */
export function deletionSteps(connect: Connect): DeletionStep[] {
  const rung = (name: string, run: (connection: TargetConnection, database: string) => Promise<void>): DeletionStep => ({
    name,
    async run(ctx) {
      ctx.signal.throwIfAborted();
      const { database } = wantedResource(ctx);
      try {
        await run(connect(ctx), database);
      } catch (error) {
        throw wrapMysqlError(error, name, database);
      }
    },
  });

  return [
    rung('drop-logins', async ({ pool }, database) => {
      await dropAccounts(pool, await credentialAccounts(pool, database));
    }),
    rung('terminate-sessions', async ({ pool }, database) => {
      await killSessions(pool, (user) => isCredentialName(database, user), database);
    }),
    rung('drop-database', async ({ pool }, database) => {
      await pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
    }),
  ];
}
