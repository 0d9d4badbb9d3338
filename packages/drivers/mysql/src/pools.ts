import type mysql from 'mysql2/promise';
import { mysql2 } from './mysql2.js';
import { createTargetClients, errorLine, readUntil, type Logger, type TargetClients } from '@paved/driver-api';
import { readTargetConfig, type MysqlTargetConfig } from './target-config.js';
import { chooseAuth, type AuthChoice } from './auth.js';

/** One admin pool per target. */
export interface TargetConnection {
  pool: mysql.Pool;
  config: MysqlTargetConfig;
  /** The plugin tenant logins get, loading ed25519 if need be (auth.ts); kept once ed25519 is in use. */
  auth(): Promise<AuthChoice>;
}

export interface PoolOptions {
  /** Admin connections per target; provisioning statements take about a millisecond each. */
  maxConnections: number;
  logger: Logger;
}

export function createPools(options: PoolOptions): TargetClients<TargetConnection> {
  return createTargetClients({
    open(target) {
      const config = readTargetConfig(target);
      const { host, port, user, password } = config.admin;
      const pool = mysql2().createPool({
        host,
        port,
        user,
        password,
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
        connection.on('error', (error: Error) => options.logger.warn({ target: target.name, err: errorLine(error, [password]) }, 'mysql admin connection lost'));
      });
      const auth = readUntil(() => chooseAuth(pool, config, { install: true }), (choice) => choice.fallback === undefined);
      return { pool, config, auth };
    },
    close: (connection) => connection.pool.end(),
  });
}
