import mysql from 'mysql2/promise';
import type { Logger, Target } from '@paved/driver-api';
import { readTargetConfig, type MysqlTargetConfig } from './target-config.js';

/** One admin pool per target. */
export interface TargetConnection {
  pool: mysql.Pool;
  config: MysqlTargetConfig;
}

export interface PoolOptions {
  /** Admin connections per target; provisioning statements take about a millisecond each. */
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
    const pool = mysql.createPool({
      host: config.admin.host,
      port: config.admin.port,
      user: config.admin.user,
      password: config.admin.password,
      connectionLimit: options.maxConnections,
      maxIdle: options.maxConnections,
      idleTimeout: 10_000,
      connectTimeout: 10_000,
      // One statement per call: nothing we splice can smuggle a second one in.
      multipleStatements: false,
    });
    // A pooled connection can die (server restart, KILL); the pool drops it and the next query
    // reconnects. Without a listener the event would crash the process.
    pool.on('connection', (connection) => {
      connection.on('error', (error: Error) => options.logger.warn({ target: target.name, err: error.message }, 'mysql admin connection lost'));
    });
    const connection: TargetConnection = { pool, config };
    pools.set(key, connection);
    return connection;
  }

  async function closeAll(): Promise<void> {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((connection) => connection.pool.end().catch(() => {})));
  }

  return { forTarget, closeAll };
}
