/**
 * Composition end to end, through the real CLI and server: `paved create service-db orders
 * --wait` provisions a PostgreSQL database (part db) and a generated API key (part key) as one
 * unit on the machine's PostgreSQL; `paved get` shows both parts, `paved env` reveals the whole
 * unit, a part cannot be deleted alone, and `paved delete --wait` removes the parts and leaves
 * no database or role behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import {
  dropWithPrefix, paved, pavedOk, resourcesWithPrefix, signUpMember, startPavedIfMachinePostgres, tempDir, type ServerProcess,
} from './harness.js';

const suffix = Math.random().toString(16).slice(2, 8);

describe('composite products (service-db)', () => {
  let available = false;
  let server: ServerProcess | undefined;
  const dir = tempDir('e2e-composition');
  const team = `shop-${suffix}`;
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const alice = { PAVED_CLI_CONFIG: join(dir, 'alice.json') };
  const prefix = `pv_${team.replace(/-/g, '_')}_`;

  beforeAll(async () => {
    server = await startPavedIfMachinePostgres(dir, admin);
    available = server !== undefined;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (available) await dropWithPrefix(prefix);
  });

  it('provisions, shows, reveals and deletes a database and an API key as one unit', async (ctx) => {
    if (!available) return ctx.skip();
    await pavedOk(['teams', 'create', team], admin);
    await signUpMember({ admin, team, user: `alice-${suffix}`, url: server!.url, env: alice });

    const created = await paved(['create', 'service-db', 'orders', '--wait'], alice);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout + created.stderr).toMatch(/Ready/);

    const shown = await pavedOk(['get', 'orders'], alice);
    expect(shown).toContain('Parts:');
    expect(shown).toMatch(/db\s+orders-db\s+postgres@\S+\s+small\s+Ready/);
    expect(shown).toMatch(/key\s+orders-key\s+secret@\S+\s+default\s+Ready/);
    const got = JSON.parse(await pavedOk(['get', 'orders', '-o', 'json'], alice));
    expect(got.status.phase).toBe('Ready');
    expect(got.outputs.password).toBeUndefined();
    expect(got.parts.map((p: { part: string }) => p.part)).toEqual(['db', 'key']);

    const listed = await pavedOk(['list'], alice);
    expect(listed).toMatch(/orders\s+service-db@/);
    expect(listed).toMatch(/└ orders-db\s+postgres@/);

    const values = JSON.parse(await pavedOk(['env', 'orders', '--format', 'json'], alice)) as Record<string, string>;
    const value = (name: string) => {
      const key = Object.keys(values).find((k) => k === name || k.endsWith(`_${name}`));
      expect(key, `${name} in ${Object.keys(values).join(', ')}`).toBeDefined();
      return values[key!]!;
    };
    expect(value('APIKEY').length).toBeGreaterThanOrEqual(32);
    const database = value('DATABASE');
    expect(database.startsWith(prefix)).toBe(true);
    const client = new pg.Client({ host: value('HOST'), port: Number(value('PORT')), user: value('USERNAME'), password: value('PASSWORD'), database, connectionTimeoutMillis: 5000 });
    await client.connect();
    await client.query('CREATE TABLE orders (id int primary key)');
    await client.query('INSERT INTO orders VALUES (7)');
    expect((await client.query('SELECT id FROM orders')).rows).toEqual([{ id: 7 }]);
    await client.end();

    // A part is managed through its unit.
    const refused = await paved(['delete', 'orders-db'], alice);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('part "db" of orders');

    expect((await resourcesWithPrefix(prefix)).databases).toEqual([database]);
    await pavedOk(['delete', 'orders', '--wait'], alice);
    expect(await resourcesWithPrefix(prefix)).toEqual({ databases: [], roles: [] });
    for (const name of ['orders', 'orders-db', 'orders-key']) expect((await paved(['get', name], alice)).code).toBe(5);
  }, 120_000);
});
