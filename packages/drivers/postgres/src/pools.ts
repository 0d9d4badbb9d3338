import pg from 'pg';
import type { Logger, Target } from '@paved/driver-api';
import { readTargetConfig, type PostgresTargetConfig } from './target-config.js';

/** One admin pool per target, and what we learned about the server behind it. */
export interface TargetConnection {
  pool: pg.Pool;
  config: PostgresTargetConfig;
  /** server_version_num and whether the admin is a superuser, read once per pool. */
  facts(): Promise<ServerFacts>;
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

export function createPools(options: PoolOptions) {
  const pools = new Map<string, TargetConnection>();

  function forTarget(target: Target): TargetConnection {
    const config = readTargetConfig(target);
    // Keyed by name and URL so a changed target configuration gets a fresh pool.
    const key = `${target.name}\0${config.admin.href}`;
    const existing = pools.get(key);
    if (existing) return existing;
    const pool = new pg.Pool({ connectionString: config.admin.href, max: options.maxConnections, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 10_000 });
    // An idle client can die (server restart, terminated backend); without a listener that
    // would crash the process. The next query reconnects.
    pool.on('error', (error) => options.logger.warn({ target: target.name, err: error.message }, 'postgres admin connection lost'));
    let facts: Promise<ServerFacts> | undefined;
    const connection: TargetConnection = {
      pool,
      config,
      facts() {
        facts ??= readFacts(pool).catch((error: unknown) => {
          facts = undefined;
          throw error;
        });
        return facts;
      },
    };
    pools.set(key, connection);
    return connection;
  }

  async function closeAll(): Promise<void> {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((connection) => connection.pool.end()));
  }

  return { forTarget, closeAll };
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
