/**
 * Secret scan: provision real instances (PostgreSQL, Redis, a generated secret), reveal, rotate
 * and delete them, issue API tokens; collect every secret value Paved issued; then look for each
 * one in the store (every byte of the SQLite files; every row of every table of a PostgreSQL
 * store), in everything the server wrote to stdout and stderr, and in every response body that
 * did not ask for it (everything but a reveal and the answer that issued a token).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import {
  dropWithPrefix, freePort, MACHINE_PG_TARGET, requireMachinePostgres, startServer, tempDatabase, tempDir, waitFor,
} from './harness.js';
import { ownRedis, type OwnRedis } from './own-redis.js';

interface Recorded {
  method: string;
  path: string;
  body: string;
}

describe.each(['sqlite', 'postgres'] as const)('secret scan with a %s store', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('finds no issued secret in the store, the server output or any response that did not ask for it', async (ctx) => {
    if (!(await requireMachinePostgres())) return ctx.skip();
    const suffix = randomBytes(3).toString('hex');
    const team = `scan-${dialect}-${suffix}`;
    const dir = tempDir(`scan-${dialect}`);
    const redis: OwnRedis = await ownRedis(dir);
    cleanups.push(() => redis.stop(), () => dropWithPrefix(`pv_${team.replace(/-/g, '_')}_`));
    const store = dialect === 'postgres' ? await tempDatabase('scan') : undefined;
    if (store) cleanups.push(() => store.drop());
    writeFileSync(join(dir, 'targets.yaml'), stringify({ apiVersion: 'paved.dev/v1alpha1', kind: 'Target', metadata: { name: 'cache' }, spec: { driver: 'redis', config: { url: redis.url } } }));
    const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
    const port = await freePort();
    const server = await startServer(['up'], {
      ...admin,
      PAVED_DATA_DIR: join(dir, 'data'),
      PAVED_PORT: String(port),
      ...MACHINE_PG_TARGET,
      PAVED_TARGETS_FILE: join(dir, 'targets.yaml'),
      // The most the server says about itself: a secret in any log line shows up.
      PAVED_LOG_LEVEL: 'debug',
      ...(store ? { PAVED_DATABASE_URL: store.url } : {}),
    }, { port });
    cleanups.push(() => server.stop());

    const adminToken = JSON.parse(readFileSync(admin.PAVED_CLI_CONFIG, 'utf8')).token as string;
    const issued = new Set<string>([adminToken]);
    const responses: Recorded[] = [];
    /** Calls the API; `asks` marks a response that is meant to carry secrets (it is not scanned). */
    const call = async (method: string, path: string, body?: unknown, options: { token?: string; asks?: boolean } = {}) => {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token ?? adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (!options.asks) responses.push({ method, path, body: text });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const instance = (name: string) => call('GET', `/teams/${team}/instances/${name}`).catch(() => undefined);
    const ready = (name: string) => waitFor(`${name} Ready`, async () => {
      const got = await instance(name);
      if (got?.status.phase === 'Failed') throw new Error(`${name} failed: ${JSON.stringify(got.status)}`);
      return got?.status.phase === 'Ready';
    }, 120_000);
    /**
     * Reveals and keeps the value of every key that is not among the instance's plain outputs.
     * By key, not by value: a rotation finishing between the two reads changes plain values too
     * (a new login name), which are not secrets.
     */
    const reveal = async (name: string) => {
      const plain = (await instance(name)).outputs as Record<string, string>;
      const { values } = await call('POST', `/teams/${team}/instances/${name}/credentials:reveal`, undefined, { asks: true }) as { values: Record<string, string> };
      for (const [key, value] of Object.entries(values)) if (!(key in plain)) issued.add(value);
      return values;
    };

    // People and tokens.
    await call('POST', '/teams', { name: team });
    const member = await call('POST', '/users', { name: `scanner-${suffix}` }, { asks: true }) as { token: string };
    issued.add(member.token);
    await call('PUT', `/teams/${team}/members/scanner-${suffix}`, { role: 'member' });
    const extra = await call('POST', `/users/scanner-${suffix}/tokens`, { name: 'ci' }, { token: member.token, asks: true }) as { token: string };
    issued.add(extra.token);

    // Instances on real targets, revealed, one rotated and one deleted.
    // Redis on the shared plan: a key prefix on the test's redis-server.
    for (const [name, product, plan] of [['db', 'postgres', undefined], ['cache', 'redis', 'small'], ['sig', 'secret', undefined]] as const) {
      await call('POST', `/teams/${team}/instances`, { name, product, ...(plan ? { plan } : {}) }, { token: member.token });
    }
    for (const name of ['db', 'cache', 'sig']) await ready(name);
    const before = await reveal('db');
    for (const name of ['cache', 'sig']) await reveal(name);
    await call('POST', `/teams/${team}/instances/db/rotate`, undefined, { token: extra.token });
    // A new credential: every secret value of the instance changes.
    await waitFor('db rotated', async () => {
      if ((await instance('db'))?.status.phase !== 'Ready') return false;
      const after = await reveal('db');
      return Object.keys(before).some((key) => issued.has(before[key]!) && after[key] !== before[key]);
    }, 120_000);
    await call('DELETE', `/teams/${team}/instances/cache`, undefined, { token: member.token });
    await waitFor('cache gone', async () => (await instance('cache')) === undefined, 120_000);
    // What people look at afterwards.
    await call('GET', `/teams/${team}/instances`);
    await call('GET', `/teams/${team}/events?limit=100`);
    await call('GET', '/whoami', undefined, { token: extra.token });
    await call('GET', `/users/scanner-${suffix}/tokens`, undefined, { token: member.token });
    await server.stop();

    const secrets = [...issued].filter((value) => value.length >= 8);
    // Three instances' secrets (db twice), the admin's, the member's and a second token.
    expect(secrets.length).toBeGreaterThanOrEqual(8);

    const places: { where: string; text: string | Buffer }[] = [{ where: 'server stdout/stderr', text: server.output() }];
    for (const r of responses) places.push({ where: `response to ${r.method} ${r.path}`, text: r.body });
    if (store) {
      const client = new pg.Client({ connectionString: store.url });
      await client.connect();
      try {
        const tables = await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'");
        for (const { name } of tables.rows) {
          const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
          places.push({ where: `store table ${name}`, text: rows.rows.map((r) => r.row).join('\n') });
        }
      } finally {
        await client.end();
      }
    } else {
      const dataDir = join(dir, 'data');
      for (const file of readdirSync(dataDir).filter((f) => f.startsWith('paved.db'))) places.push({ where: `store file ${file}`, text: readFileSync(join(dataDir, file)) });
      expect(places.some((p) => p.where === 'store file paved.db')).toBe(true);
    }

    const found: string[] = [];
    secrets.forEach((secret, index) => {
      for (const place of places) {
        const hit = typeof place.text === 'string' ? place.text.includes(secret) : place.text.includes(Buffer.from(secret));
        // Name the secret by its number, not its value: this message may be printed.
        if (hit) found.push(`secret #${index} (${secret.length} characters) in ${place.where}`);
      }
    });
    expect(found).toEqual([]);
    expect(responses.length).toBeGreaterThan(20);
  }, 300_000);
});

