import { sql } from '#kysely';
import type { Store, StoreOptions } from './types.js';
import type { DialectAdapter } from './dialect/adapter.js';
import { createSqliteAdapter } from './dialect/sqlite.js';
import { ChangeFeed } from './change-feed.js';
import { CreateClaims } from './create-claims.js';
import { HeldRows } from './repos/held-rows.js';
import { isoAt } from './iso-time.js';
import { unchangedReads } from './unchanged-reads.js';
import type { StoreContext } from './context.js';
import { runMigrations } from './migrations.js';
import { auditRepo } from './repos/audit.js';
import { eventsRepo } from './repos/events.js';
import { engineQueueRepo } from './repos/engine-queue.js';
import { identityRepo } from './repos/identity.js';
import { instancesRepo } from './repos/instances.js';
import { logsRepo } from './repos/logs.js';
import { compositionRepo } from './repos/composition.js';
import { feedbackRepo } from './repos/feedback.js';
import { measuresRepo } from './repos/measures.js';
import { deliveryRepo } from './repos/delivery.js';
import { doraRepo } from './repos/dora.js';
import { productsRepo } from './repos/products.js';
import { productDeprecationsRepo } from './repos/product-deprecations.js';
import { productRoadmapRepo } from './repos/product-roadmap.js';
import { rolloutsRepo } from './repos/rollouts.js';
import { policiesRepo } from './repos/policies.js';
import { gateReadsRepo } from './repos/gate-reads.js';
import { approvalsRepo } from './repos/approvals.js';
import { secretsRepo } from './repos/secrets.js';
import { servicesRepo } from './repos/services.js';
import { signInRepo } from './repos/sign-in.js';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Opens the store: PostgreSQL for a postgres:// URL, SQLite otherwise. Does not migrate;
 * callers call migrate() (every Paved process at start: `paved up`, `paved server`), so a
 * read-only tool never changes a schema by accident. On PostgreSQL it also starts listening for
 * other processes' instance changes, so onInstanceChange works from the first write after this
 * resolves.
 */
export async function createStore(options: StoreOptions): Promise<Store> {
  // pg (≈ 4 MiB of an idle server) is loaded by a PostgreSQL store only, not by SQLite's.
  const adapter: DialectAdapter = isPostgresUrl(options.url)
    ? (await import('./dialect/postgres.js')).createPostgresAdapter(options.url)
    : createSqliteAdapter(options.url);
  const now = options.now ?? Date.now;
  const feed = new ChangeFeed();
  const createClaims = new CreateClaims();
  const ctx: StoreContext = { adapter, db: adapter.db, feed, now, iso: () => isoAt(now()), unchanged: unchangedReads(adapter), createClaims, heldRows: new HeldRows(), readyRiders: new Map() };
  try {
    await adapter.listen((change) => feed.emit(change));
  } catch (error) {
    await adapter.close();
    throw error;
  }

  return {
    dialect: adapter.dialect,
    migrate: () => runMigrations(adapter),
    close: () => adapter.close(),
    snapshot: (path) => adapter.snapshot(path),
    asOneQuestion: (fn) => ctx.unchanged.asOneQuestion(fn),
    asOneQuestionOnceArrived: (fn) => ctx.unchanged.asOneQuestionOnceArrived(fn),
    async ping() {
      await sql`select 1`.execute(adapter.db);
    },
    ...identityRepo(ctx),
    ...productsRepo(ctx),
    ...instancesRepo(ctx),
    ...engineQueueRepo(ctx),
    ...secretsRepo(ctx),
    ...eventsRepo(ctx),
    ...servicesRepo(ctx),
    ...logsRepo(ctx),
    ...compositionRepo(ctx),
    ...signInRepo(ctx),
    ...auditRepo(ctx),
    ...measuresRepo(ctx),
    ...feedbackRepo(ctx),
    ...deliveryRepo(ctx),
    ...doraRepo(ctx),
    ...productDeprecationsRepo(ctx),
    ...productRoadmapRepo(ctx),
    ...rolloutsRepo(ctx),
    ...policiesRepo(ctx),
    ...gateReadsRepo(ctx),
    ...approvalsRepo(ctx),
    onInstanceChange: (listener) => feed.on(listener),
    claimOnCreate: (claimer) => createClaims.add(claimer),
  };
}
