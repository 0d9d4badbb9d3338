/**
 * The self-service loop end to end, as a new user lives it: `paved up` on a fresh data folder,
 * sign in, create a team, `paved create postgres orders-db --wait`, use the credentials from
 * `paved env`, prove another team's credentials cannot reach that database, delete it and
 * check the database and role are gone from the server. Once with the state in SQLite, once
 * in PostgreSQL. The target is the machine's PostgreSQL so the test can inspect it as admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import {
  dropWithPrefix, paved, pavedOk, requireMachinePostgres, resourcesWithPrefix, signUpMember, startPavedOnMachinePostgres,
  tempDatabase, tempDir, type ServerProcess,
} from './harness.js';

const suffix = Math.random().toString(16).slice(2, 8);

/** Reads a value out of `paved env --format json` output whatever prefix the variables have. */
function output(values: Record<string, string>, name: string): string {
  const key = Object.keys(values).find((k) => k === name.toUpperCase() || k.endsWith(`_${name.toUpperCase()}`));
  if (!key) throw new Error(`no ${name} in ${Object.keys(values).join(', ')}`);
  return values[key]!;
}

async function connect(values: Record<string, string>, database = output(values, 'database')): Promise<pg.Client> {
  const client = new pg.Client({
    host: output(values, 'host'),
    port: Number(output(values, 'port')),
    user: output(values, 'username'),
    password: output(values, 'password'),
    database,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  return client;
}

describe.each(['sqlite', 'postgres'] as const)('self-service loop with the state in %s', (storeKind) => {
  let available = false;
  let server: ServerProcess | undefined;
  let dropStore: (() => Promise<void>) | undefined;
  const dir = tempDir(`e2e-${storeKind}`);
  const teamA = `orders-${suffix}-${storeKind.slice(0, 2)}`;
  const teamB = `billing-${suffix}-${storeKind.slice(0, 2)}`;
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const alice = { PAVED_CLI_CONFIG: join(dir, 'alice.json') };
  const bob = { PAVED_CLI_CONFIG: join(dir, 'bob.json') };
  const prefixA = `pv_${teamA.replace(/-/g, '_')}_`;
  const prefixB = `pv_${teamB.replace(/-/g, '_')}_`;

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    const store: NodeJS.ProcessEnv = {};
    if (storeKind === 'postgres') {
      const db = await tempDatabase('e2e');
      store.PAVED_DATABASE_URL = db.url;
      dropStore = db.drop;
    }
    server = await startPavedOnMachinePostgres(dir, admin, store);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await dropStore?.();
    if (available) {
      await dropWithPrefix(prefixA);
      await dropWithPrefix(prefixB);
    }
  });

  it('takes a team from nothing to a working database and back', async (ctx) => {
    if (!available) return ctx.skip();
    // The admin is signed in by `paved up`.
    expect(await pavedOk(['whoami'], admin)).toContain('admin');

    // Teams and people.
    await pavedOk(['teams', 'create', teamA], admin);
    await pavedOk(['teams', 'create', teamB], admin);
    await signUpMember({ admin, team: teamA, user: `alice-${suffix}`, url: server!.url, env: alice });
    await signUpMember({ admin, team: teamB, user: `bob-${suffix}`, url: server!.url, env: bob });

    // Self-service: no human in the loop.
    const created = await paved(['create', 'postgres', 'orders-db', '--wait'], alice);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout + created.stderr).toMatch(/Ready/);
    const got = JSON.parse(await pavedOk(['get', 'orders-db', '-o', 'json'], alice));
    expect(got.status.phase).toBe('Ready');
    expect(got.outputs.password).toBeUndefined(); // secrets only through an explicit reveal

    const credsA = JSON.parse(await pavedOk(['env', 'orders-db', '--format', 'json'], alice)) as Record<string, string>;
    const clientA = await connect(credsA);
    await clientA.query('CREATE TABLE orders (id int primary key, item text)');
    await clientA.query("INSERT INTO orders VALUES (1, 'paving stones')");
    const rows = await clientA.query('SELECT item FROM orders WHERE id = 1');
    expect(rows.rows[0].item).toBe('paving stones');
    await clientA.end();

    // `paved run` hands the same credentials to a program's environment.
    const run = await pavedOk(['run', '--instance', 'orders-db', '--', process.execPath, '-e', 'console.log(Object.keys(process.env).filter(k => k.endsWith("_DATABASE")).join(","))'], alice);
    expect(run).toMatch(/ORDERS_DB_DATABASE/);

    // Another team: cannot see the instance, and its own credentials cannot reach the database.
    const peek = await paved(['get', 'orders-db', '--team', teamA], bob);
    expect(peek.code).not.toBe(0);
    await pavedOk(['create', 'postgres', 'billing-db', '--wait'], bob);
    const credsB = JSON.parse(await pavedOk(['env', 'billing-db', '--format', 'json'], bob)) as Record<string, string>;
    await expect(connect(credsB, output(credsA, 'database'))).rejects.toThrow(/permission denied|not permitted|CONNECT/i);

    // Delete, then nothing is left on the server.
    const externalDb = output(credsA, 'database');
    expect((await resourcesWithPrefix(prefixA)).databases).toEqual([externalDb]);
    await pavedOk(['delete', 'orders-db', '--wait'], alice);
    expect(await resourcesWithPrefix(prefixA)).toEqual({ databases: [], roles: [] });
    const gone = await paved(['get', 'orders-db'], alice);
    expect(gone.code).toBe(5); // not found (docs/cli.md exit codes)
    await pavedOk(['delete', 'billing-db', '--wait'], bob);
    expect(await resourcesWithPrefix(prefixB)).toEqual({ databases: [], roles: [] });
  }, 120_000);
});
