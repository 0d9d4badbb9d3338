/**
 * The order in which a create asks the admin pool for its statements, on the machine's MariaDB:
 * mysql2's pool writes each one on a later tick in the order asked, so the order asked is the
 * order on the wire.
 */
import { afterAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { provision } from './provision.js';
import { deletionSteps } from './deletion.js';
import { readTargetConfig } from './target-config.js';
import type { TargetConnection } from './pools.js';
import { ADMIN_URL, context, mysqlTarget, skipReason, uniqueName } from './test-support.js';

const skip = await skipReason('mysql provision order tests');
const skipHere = skip !== undefined && process.env.CI !== 'true';

describe.skipIf(skipHere)('mysql create: the statements in the order sent', () => {
  const target = mysqlTarget();
  const config = readTargetConfig(target);
  const pool = mysql.createPool({ ...config.admin, connectionLimit: 8, multipleStatements: false });
  const asked: string[] = [];
  // Records each statement as the driver asks for it, before the pool takes a connection for it.
  const recording = new Proxy(pool, {
    get(owner, key) {
      const value = Reflect.get(owner, key, owner) as unknown;
      if ((key !== 'query' && key !== 'execute') || typeof value !== 'function') return value;
      return (sql: string, ...rest: unknown[]) => {
        asked.push(sql.replace(/\s+/g, ' ').slice(0, 30));
        return (value as (...args: unknown[]) => unknown).call(owner, sql, ...rest);
      };
    },
  });
  const connection: TargetConnection = { pool: recording, config, auth: () => Promise.resolve({ plugin: 'ed25519' }) };
  const ctx = context(target, uniqueName('pv_ord'));
  afterAll(async () => {
    for (const step of deletionSteps(() => connection)) await step.run(ctx).catch(() => {});
    await pool.end();
  });

  it('sends CREATE USER first, the head of the branch its GRANT waits on; the database and the accounts\' read after it', async () => {
    await provision(connection, ctx, { create: true });
    expect(asked.slice(0, 3).map((sql) => sql.split(' ').slice(0, 2).join(' '))).toEqual(['CREATE USER', 'CREATE DATABASE', 'SELECT User']);
    expect(asked.slice(3)).toEqual([expect.stringMatching(/^GRANT ALL PRIVILEGES/)]);
  });
});
