import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { pgLib } from './pg.js';
import { createTargetClients, errorLine, readOnce, readUntil, type Logger, type TargetClients } from '@paved/driver-api';
import { readTargetConfig, type PostgresTargetConfig } from './target-config.js';
import { closeServerDatabases, type ServerDatabases } from './server-databases.js';

/** One admin pool per target, and what we learned about the server behind it. */
export interface TargetConnection {
  pool: pg.Pool;
  config: PostgresTargetConfig;
  /** server_version_num and whether the admin is a superuser, read once per pool. */
  facts(): Promise<ServerFacts>;
  /** Closes the server's own databases to PUBLIC as far as the admin may (server-databases.ts), until done. */
  serverDatabases(): Promise<ServerDatabases>;
  /** Ends the pool once each of its sessions has said goodbye (endPool). */
  end(): Promise<void>;
}

export interface ServerFacts {
  versionNum: number;
  version: string;
  superuser: boolean;
}

export interface PoolOptions {
  /** Connections per target. Small on purpose: CREATE DATABASE serialises on WAL, 2–4 is the sweet spot. */
  maxConnections: number;
  logger: Logger;
}

export function createPools(options: PoolOptions): TargetClients<TargetConnection> {
  return createTargetClients({
    open(target) {
      const config = readTargetConfig(target);
      const pool = new (pgLib().Pool)({ connectionString: config.admin.href, max: options.maxConnections, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 10_000 });
      // An idle client can die (server restart, terminated backend); without a listener that
      // would crash the process. The next query reconnects.
      pool.on('error', (error) => options.logger.warn({ target: target.name, err: errorLine(error, [config.admin.password]) }, 'postgres admin connection lost'));
      const facts = readOnce(() => readFacts(pool));
      // Until they are closed: a superuser's fix is seen without restarting Paved.
      const serverDatabases = readUntil(async () => closeServerDatabases(pool, config, (await facts()).superuser), (result) => result.open.length === 0);
      return { pool, config, facts, serverDatabases, end: endPool(pool) };
    },
    close: (connection) => connection.end(),
  });
}

/** How long a stop waits for the server to see the admin sessions out. */
const GOODBYE_MS = 2_000;

/**
 * pg-pool's `end()` resolves once it has asked each idle session to end, not once they have. A
 * server stopped right after (the embedded one, which Paved stops after its drivers) then ends
 * the sessions itself and each is logged as an admin connection lost. So the pool's end waits
 * for its sessions' `remove` (their socket closed: the server has let the backend go), at most
 * GOODBYE_MS, so that a server that no longer answers does not hold up a stop.
 */
function endPool(pool: pg.Pool): () => Promise<void> {
  const open = new Set<pg.PoolClient>();
  let allGone = (): void => {};
  pool.on('connect', (client) => open.add(client));
  pool.on('remove', (client) => {
    open.delete(client);
    if (open.size === 0) allGone();
  });
  return async () => {
    const gone = new Promise<void>((resolve) => (allGone = resolve));
    await pool.end();
    if (open.size > 0) await Promise.race([gone, delay(GOODBYE_MS, undefined, { ref: false })]);
  };
}

async function readFacts(pool: pg.Pool): Promise<ServerFacts> {
  const { rows } = await pool.query<{ num: string; version: string; superuser: boolean }>(
    `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
  );
  const row = rows[0];
  if (!row) throw new Error('the server returned no version');
  return { versionNum: Number(row.num), version: `PostgreSQL ${row.version.split(' ')[0]}`, superuser: row.superuser === true };
}
