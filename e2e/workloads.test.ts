/**
 * Score workloads end to end, as a developer lives them: `paved up` with targets for this
 * machine's PostgreSQL, MariaDB, Redis and RabbitMQ (examples/targets/local-services.yaml), a
 * team member applies the Score project's own example files unchanged (one service each), plans
 * them again (no changes), runs a program with the rendered variables that really connects and
 * writes, renders them, drops a resource from a file, shares one by `id` between two services,
 * and gets file:line errors and environment policies. Real CLI and server processes; every
 * instance is deleted at the end and whatever is left on the servers is dropped by prefix.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import {
  dropWithPrefix, freePort, MACHINE_PG, machinePostgresAvailable, paved, pavedOk, resourcesWithPrefix, startServer, tempDir, watchInstance,
  type CliResult, type ServerProcess,
} from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGETS_FILE = join(ROOT, 'examples/targets/local-services.yaml');
const NODE_PATH = join(ROOT, 'node_modules');
/** The Score project's example files, copied unchanged into fixtures/score (see its README). */
const FIXTURES = process.env.PAVED_SCORE_FIXTURES ?? join(ROOT, 'fixtures/score');
const KINDS = ['postgres', 'mysql', 'redis', 'amqp'] as const;
type Kind = (typeof KINDS)[number];
const fixture = (kind: Kind) => join(FIXTURES, kind, 'score.yaml');

const MYSQL_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const REDIS_ADMIN = 'redis://127.0.0.1:6379';
/** Where the targets file has Paved run the dedicated redis-servers (the redis product's default plan). */
const REDIS_SERVERS = '/var/lib/paved/redis-servers';
const RABBIT_ADMIN = { base: 'http://127.0.0.1:15672', auth: `Basic ${Buffer.from('guest:guest').toString('base64')}` };

const suffix = Math.random().toString(16).slice(2, 8);
const team = `wl-${suffix}`;
/** Every external name of the team's instances starts with this (model externalNameFor). */
const prefix = `pv_wl_${suffix}_`;
/** One service per fixture: they are all named my-workload. */
const serviceOf: Record<Kind, string> = { postgres: 'svc-pg', mysql: 'svc-my', redis: 'svc-rd', amqp: 'svc-mq' };
const resourceOf: Record<Kind, string> = { postgres: 'my-postgres', mysql: 'my-mysql', redis: 'my-redis', amqp: 'my-amqp' };
const instanceOf = (kind: Kind) => `${serviceOf[kind]}-${resourceOf[kind]}-dev`;
/** externalNameFor(team, instance, id) without the id's 8 hex: the prefix of one instance's objects. */
const externalPrefix = (instance: string) => `${prefix}${instance.replace(/-/g, '_')}_`;

// ---------------------------------------------------------------------------------------------
// Which services this machine runs, and what is left on them

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/** Why the test cannot run here (one line), or undefined. Under CI=true a reason fails the run. */
async function missingPrerequisite(): Promise<string | undefined> {
  if (!existsSync(FIXTURES)) return `the Score fixtures are missing at ${FIXTURES}`;
  if (!(await machinePostgresAvailable())) return `PostgreSQL is not reachable at ${MACHINE_PG} (start it: scripts/ensure-services.sh)`;
  for (const [name, port] of [['MariaDB', 3306], ['Redis', 6379], ['RabbitMQ', 5672], ['RabbitMQ management', 15672]] as const) {
    if (!(await tcpOpen(port))) return `${name} is not reachable on 127.0.0.1:${port} (start it: scripts/ensure-services.sh)`;
  }
  return undefined;
}

async function rabbit(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${RABBIT_ADMIN.base}${path}`, { method, headers: { authorization: RABBIT_ADMIN.auth } });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function redisAdmin<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_ADMIN, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** Everything on the four servers whose name starts with `start`, one entry each. */
async function inventory(start: string): Promise<string[]> {
  const items: string[] = [];
  const pg = await resourcesWithPrefix(start);
  items.push(...pg.databases.map((d) => `postgres database ${d}`), ...pg.roles.map((r) => `postgres role ${r}`));
  const my = await mysql.createConnection(MYSQL_ADMIN);
  try {
    const like = `${start.replace(/[\\_%]/g, (ch) => `\\${ch}`)}%`;
    const [schemas] = await my.query<mysql.RowDataPacket[]>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [like]);
    const [users] = await my.query<mysql.RowDataPacket[]>('SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE ?', [like]);
    items.push(...schemas.map((r) => `mysql database ${String(r.name)}`), ...users.map((r) => `mysql user ${String(r.user)}@${String(r.host)}`));
  } finally {
    await my.end();
  }
  await redisAdmin(async (redis) => {
    for (const user of (await redis.call('ACL', 'USERS')) as string[]) if (user.startsWith(start)) items.push(`redis user ${user}`);
    items.push(...(await scanKeys(redis, start)).map((k) => `redis key ${k}`));
  });
  for (const server of redisServers(start)) items.push(`redis server ${server.name}${server.pids.length > 0 ? ` (pid ${server.pids.join(', ')})` : ''}`);
  for (const vhost of (await rabbit('GET', '/api/vhosts?columns=name')).body as { name: string }[]) if (vhost.name.startsWith(start)) items.push(`rabbitmq vhost ${vhost.name}`);
  for (const user of (await rabbit('GET', '/api/users?columns=name')).body as { name: string }[]) if (user.name.startsWith(start)) items.push(`rabbitmq user ${user.name}`);
  return items;
}

/** Dedicated redis-servers whose folder name starts with `start`, with the processes running their config file. */
function redisServers(start: string): { name: string; dir: string; pids: number[] }[] {
  if (!existsSync(REDIS_SERVERS)) return [];
  const processes = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map((pid) => {
    try {
      return { pid: Number(pid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8') };
    } catch {
      return { pid: Number(pid), cmdline: '' };
    }
  });
  return readdirSync(REDIS_SERVERS).filter((name) => name.startsWith(start)).map((name) => {
    const conf = join(REDIS_SERVERS, name, 'redis.conf');
    return { name, dir: join(REDIS_SERVERS, name), pids: processes.filter((p) => p.cmdline.split('\0').includes(conf)).map((p) => p.pid) };
  });
}

async function scanKeys(redis: Redis, start: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${start}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Drops whatever the test left on the four servers (after a failure: normally there is nothing). */
async function dropEverywhere(start: string): Promise<void> {
  const attempts = [
    () => dropWithPrefix(start),
    async () => {
      const my = await mysql.createConnection(MYSQL_ADMIN);
      try {
        const like = `${start.replace(/[\\_%]/g, (ch) => `\\${ch}`)}%`;
        const [schemas] = await my.query<mysql.RowDataPacket[]>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [like]);
        for (const row of schemas) await my.query(`DROP DATABASE IF EXISTS \`${String(row.name)}\``);
        const [users] = await my.query<mysql.RowDataPacket[]>('SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE ?', [like]);
        for (const row of users) await my.query('DROP USER IF EXISTS ?@?', [String(row.user), String(row.host)]);
      } finally {
        await my.end();
      }
    },
    () => redisAdmin(async (redis) => {
      for (const user of (await redis.call('ACL', 'USERS')) as string[]) if (user.startsWith(start)) await redis.call('ACL', 'DELUSER', user);
      const keys = await scanKeys(redis, start);
      if (keys.length > 0) await redis.unlink(...keys);
    }),
    async () => {
      for (const server of redisServers(start)) {
        for (const pid of server.pids) process.kill(pid, 'SIGKILL');
        rmSync(server.dir, { recursive: true, force: true });
      }
      const ports = join(REDIS_SERVERS, 'ports');
      for (const port of existsSync(ports) ? readdirSync(ports) : []) if (readFileSync(join(ports, port), 'utf8').startsWith(start)) rmSync(join(ports, port), { force: true });
    },
    async () => {
      for (const vhost of (await rabbit('GET', '/api/vhosts?columns=name')).body as { name: string }[]) if (vhost.name.startsWith(start)) await rabbit('DELETE', `/api/vhosts/${encodeURIComponent(vhost.name)}`);
      for (const user of (await rabbit('GET', '/api/users?columns=name')).body as { name: string }[]) if (user.name.startsWith(start)) await rabbit('DELETE', `/api/users/${encodeURIComponent(user.name)}`);
    },
  ];
  for (const attempt of attempts) await attempt().catch((error: unknown) => console.warn(`cleanup of ${start}*: ${(error as Error).message}`));
}

// ---------------------------------------------------------------------------------------------
// Programs `paved run` starts: each reads only the variables its Score file renders

const POSTGRES_SCRIPT = `
const pg = require('pg');
(async () => {
  const e = process.env;
  const c = new pg.Client({ host: e.POSTGRES_HOST, port: Number(e.POSTGRES_PORT), user: e.POSTGRES_USERNAME, password: e.POSTGRES_PASSWORD, database: e.POSTGRES_DATABASE, connectionTimeoutMillis: 5000 });
  await c.connect();
  await c.query('CREATE TABLE notes (id int PRIMARY KEY, body text)');
  await c.query("INSERT INTO notes VALUES (1, 'paved with postgres')");
  const r = await c.query('SELECT body FROM notes WHERE id = 1');
  console.log('read: ' + r.rows[0].body + ' from ' + (await c.query('SELECT current_database() AS d')).rows[0].d);
  await c.end();
})().catch((error) => { console.error(error); process.exit(1); });`;

// MariaDB logins authenticate with ed25519, for which mysql2 needs a client plugin (products/mysql.md).
const MYSQL_SCRIPT = `
const mysql = require('mysql2/promise');
const ed25519 = require('@coresql/mysql2-auth-ed25519').default;
(async () => {
  const e = process.env;
  const c = await mysql.createConnection({ host: e.MYSQL_HOST, port: Number(e.MYSQL_PORT), user: e.MYSQL_USERNAME, password: e.MYSQL_PASSWORD, database: e.MYSQL_DATABASE, connectTimeout: 5000, authPlugins: { client_ed25519: ed25519() } });
  await c.query('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)');
  await c.query("INSERT INTO notes VALUES (1, 'paved with mysql')");
  const [rows] = await c.query('SELECT body FROM notes WHERE id = 1');
  console.log('read: ' + rows[0].body);
  await c.end();
})().catch((error) => { console.error(error); process.exit(1); });`;

// What the Score project's redis example's container runs (redis-cli SET mykey hello, then
// GET mykey), as an ordinary program: no prefix, the client's defaults (ready check included).
const REDIS_SCRIPT = `
const { Redis } = require('ioredis');
(async () => {
  const e = process.env;
  const r = new Redis({ host: e.REDIS_HOST, port: Number(e.REDIS_PORT), username: e.REDIS_USERNAME, password: e.REDIS_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  await r.connect();
  console.log('SET mykey hello: ' + (await r.set('mykey', 'hello')));
  console.log('GET mykey: ' + (await r.get('mykey')));
  r.disconnect();
})().catch((error) => { console.error(error); process.exit(1); });`;

const AMQP_SCRIPT = `
const amqp = require('amqplib');
(async () => {
  const e = process.env;
  const url = 'amqp://' + encodeURIComponent(e.AMQP_USERNAME) + ':' + encodeURIComponent(e.AMQP_PASSWORD) + '@' + e.AMQP_HOST + ':' + e.AMQP_PORT + '/' + encodeURIComponent(e.AMQP_VHOST);
  const connection = await amqp.connect(url, { noDelay: true, timeout: 5000 });
  const channel = await connection.createChannel();
  await channel.assertQueue('notes', { durable: false });
  channel.sendToQueue('notes', Buffer.from('paved with amqp'));
  // Delivered to a consumer as soon as it is queued; the timer only bounds a hang.
  const message = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 30000);
    channel.consume('notes', (m) => { clearTimeout(timer); resolve(m); }, { noAck: true });
  });
  console.log('read: ' + (message ? message.content.toString() : '(nothing)'));
  await connection.close();
})().catch((error) => { console.error(error); process.exit(1); });`;

// ---------------------------------------------------------------------------------------------

const missing = await missingPrerequisite();
if (missing && process.env.CI === 'true') throw new Error(`workloads e2e: ${missing} (CI=true: failing)`);
if (missing) console.warn(`skipping the workloads e2e: ${missing}`);

describe.skipIf(missing !== undefined)('Score workloads on the machine services', () => {
  let server: ServerProcess | undefined;
  const dir = tempDir('e2e-workloads');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json'), PAVED_TEAM: team };
  const dev = { PAVED_CLI_CONFIG: join(dir, 'dev.json'), NODE_PATH };

  /** Writes a Score file into the temp folder and returns its path. */
  const scoreFile = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const instances = async (): Promise<{ name: string; status: { phase: string }; workload?: { service: string } }[]> =>
    JSON.parse(await pavedOk(['list', '-o', 'json'], dev));
  const gone = (name: string) => watchInstance(dev, team, name, 'deleted');
  const failed = (result: CliResult) => `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;

  beforeAll(async () => {
    const port = await freePort();
    server = await startServer(['up'], {
      PAVED_CLI_CONFIG: admin.PAVED_CLI_CONFIG, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port),
      PAVED_TARGETS_FILE: TARGETS_FILE, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn',
    }, { port });
    await pavedOk(['teams', 'create', team], admin);
    const user = JSON.parse(await pavedOk(['users', 'create', `dev-${suffix}`, '-o', 'json'], admin)) as { token: string };
    await pavedOk(['teams', 'add-member', team, `dev-${suffix}`, '--role', 'member'], admin);
    // The token goes in on stdin, as the README shows (it stays out of argv).
    const login = await paved(['login', '--url', server.url, '--token', '-'], dev, `${user.token}\n`);
    if (login.code !== 0) throw new Error(`login failed: ${failed(login)}`);
  }, 120_000);

  afterAll(async () => {
    try {
      if (server) {
        // Delete every instance the team still has, then its services; whatever a failure left
        // on the servers is dropped by prefix below.
        const left = JSON.parse((await paved(['list', '-o', 'json'], admin)).stdout || '[]') as { name: string }[];
        await Promise.all(left.map((i) => paved(['delete', i.name, '--wait', '--timeout', '60s'], admin)));
        const services = JSON.parse((await paved(['services', 'list', '-o', 'json'], admin)).stdout || '[]') as { name: string }[];
        for (const s of services) await paved(['services', 'delete', s.name], admin);
      }
    } finally {
      await server?.stop();
      await dropEverywhere(prefix);
    }
  }, 150_000);

  it('applies each Score example file unchanged, one service each, until every instance is Ready', async () => {
    const results = await Promise.all(KINDS.map((kind) => paved(['apply', '-f', fixture(kind), '--env', 'dev', '--service', serviceOf[kind], '--wait'], dev)));
    results.forEach((result, i) => {
      expect(result.code, failed(result)).toBe(0);
      expect(result.stdout).toContain(`Applied ${team}/${serviceOf[KINDS[i]!]} in dev`);
      expect(result.stdout).toContain(instanceOf(KINDS[i]!));
    });
    const list = await instances();
    for (const kind of KINDS) {
      const service = serviceOf[kind];
      const mine = list.filter((i) => i.workload?.service === service).map((i) => [i.name, i.status.phase]).sort();
      // The baked-in logs product comes with every service.
      expect(mine).toEqual([[`${service}-logs-dev`, 'Ready'], [instanceOf(kind), 'Ready']].sort());
      const got = JSON.parse(await pavedOk(['get', instanceOf(kind), '-o', 'json'], dev));
      expect(got.workload).toEqual({ service, environment: 'dev', resource: resourceOf[kind], shared: false });
      expect(got.product).toBe(kind);
      const logs = JSON.parse(await pavedOk(['get', `${service}-logs-dev`, '-o', 'json'], dev));
      expect(logs.outputs.stream).toBe(`${team}/${service}/dev`);
    }
    // Each really exists on its server, under the instance's external name.
    const onServers = await inventory(prefix);
    expect(onServers.some((i) => i.startsWith(`postgres database ${externalPrefix(instanceOf('postgres'))}`))).toBe(true);
    expect(onServers.some((i) => i.startsWith(`mysql database ${externalPrefix(instanceOf('mysql'))}`))).toBe(true);
    // The redis product's default plan: a server of the instance's own, running.
    expect(onServers.some((i) => new RegExp(`^redis server ${externalPrefix(instanceOf('redis'))}[0-9a-f]{8} \\(pid \\d+\\)$`).test(i))).toBe(true);
    expect(onServers.some((i) => i.startsWith(`rabbitmq vhost ${externalPrefix(instanceOf('amqp'))}`))).toBe(true);
  }, 120_000);

  it('plans the same files again with no changes', async () => {
    const results = await Promise.all(KINDS.map((kind) => paved(['plan', '-f', fixture(kind), '--env', 'dev', '--service', serviceOf[kind]], dev)));
    for (const result of results) {
      expect(result.code, failed(result)).toBe(0);
      expect(result.stdout).toContain('No changes.');
    }
    const json = JSON.parse(await pavedOk(['plan', '-f', fixture('postgres'), '--env', 'dev', '--service', serviceOf.postgres, '-o', 'json'], dev));
    expect(json.applied).toBe(false);
    expect(json.changes.map((c: { action: string; resource: string }) => [c.resource, c.action]).sort()).toEqual([['logs', 'unchanged'], ['my-postgres', 'unchanged']]);
  }, 60_000);

  it('runs programs with the rendered variables that really connect and write', async () => {
    const run = (kind: Kind, script: string, ...args: string[]) =>
      paved(['run', '-f', fixture(kind), '--env', 'dev', '--service', serviceOf[kind], '--', process.execPath, '-e', script, ...args], dev);
    const redisOutputs = (JSON.parse(await pavedOk(['get', instanceOf('redis'), '-o', 'json'], dev)) as { plan: string; outputs: { port: string; prefix?: string; username: string } });
    expect(redisOutputs.plan).toBe('dedicated');
    expect(redisOutputs.outputs).toMatchObject({ username: 'default', port: expect.stringMatching(/^71\d\d$/) });

    const [pgRun, myRun, redisRun, amqpRun] = await Promise.all([
      run('postgres', POSTGRES_SCRIPT), run('mysql', MYSQL_SCRIPT), run('redis', REDIS_SCRIPT), run('amqp', AMQP_SCRIPT),
    ]);
    expect(pgRun.code, failed(pgRun)).toBe(0);
    expect(pgRun.stdout).toMatch(new RegExp(`read: paved with postgres from ${externalPrefix(instanceOf('postgres'))}[0-9a-f]{8}\\n`));
    expect(myRun.code, failed(myRun)).toBe(0);
    expect(myRun.stdout).toContain('read: paved with mysql');
    expect(redisRun.code, failed(redisRun)).toBe(0);
    expect(redisRun.stdout).toContain('SET mykey hello: OK\nGET mykey: hello');
    expect(amqpRun.code, failed(amqpRun)).toBe(0);
    expect(amqpRun.stdout).toContain('read: paved with amqp');

    // The program's exit code comes back; its output went to the service's log stream too.
    const exit = await run('postgres', 'console.log("bye"); process.exit(7)');
    expect(exit.code).toBe(7);
    expect(await pavedOk(['logs', serviceOf.postgres, '--env', 'dev', '--grep', 'read: paved'], dev)).toContain('paved with postgres');
  }, 60_000);

  it('renders the variables with the secrets filled in', async () => {
    const expected: Record<Kind, string[]> = {
      postgres: ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DATABASE', 'POSTGRES_USERNAME', 'POSTGRES_PASSWORD'],
      mysql: ['MYSQL_HOST', 'MYSQL_PORT', 'MYSQL_DATABASE', 'MYSQL_USERNAME', 'MYSQL_PASSWORD'],
      redis: ['REDIS_HOST', 'REDIS_PORT', 'REDIS_USERNAME', 'REDIS_PASSWORD'],
      amqp: ['AMQP_HOST', 'AMQP_PORT', 'AMQP_VHOST', 'AMQP_USERNAME', 'AMQP_PASSWORD'],
    };
    for (const kind of KINDS) {
      const vars = JSON.parse(await pavedOk(['score', 'render', '-f', fixture(kind), '--env', 'dev', '--service', serviceOf[kind], '--format', 'json'], dev)) as Record<string, string>;
      expect(Object.keys(vars).sort()).toEqual([...expected[kind]].sort());
      for (const value of Object.values(vars)) expect(value).not.toMatch(/^$|\$\{/);
      const password = vars[expected[kind].find((k) => k.endsWith('_PASSWORD'))!]!;
      expect(password.length).toBeGreaterThanOrEqual(16);
      // The same values `paved env` reveals for the instance.
      const revealed = JSON.parse(await pavedOk(['env', instanceOf(kind), '--no-prefix', '--format', 'json'], dev)) as Record<string, string>;
      expect(password).toBe(revealed.PASSWORD);
    }
    const dotenv = await pavedOk(['score', 'render', '-f', fixture('postgres'), '--env', 'dev', '--service', serviceOf.postgres], dev);
    expect(dotenv).toMatch(/^POSTGRES_PASSWORD='[^'$]{16,}'$/m);
  }, 60_000);

  it('deletes the instance of a resource removed from the file, and it is gone from the server', async () => {
    const both = scoreFile('two.yaml', `apiVersion: score.dev/v1b1
metadata:
  name: two
containers:
  web:
    image: .
    variables:
      MAIN: \${resources.main.database}
      EXTRA: \${resources.extra.database}
resources:
  main:
    type: postgres
  extra:
    type: postgres
`);
    const applied = await paved(['apply', '-f', both, '--env', 'dev', '--wait'], dev);
    expect(applied.code, failed(applied)).toBe(0);
    expect((await resourcesWithPrefix(externalPrefix('two-main-dev'))).databases).toHaveLength(1);
    expect((await resourcesWithPrefix(externalPrefix('two-extra-dev'))).databases).toHaveLength(1);

    const one = scoreFile('two-less.yaml', readFileSync(both, 'utf8').replace(/\n {6}EXTRA:.*/, '').replace(/\n {2}extra:\n {4}type: postgres/, ''));
    const planned = await pavedOk(['plan', '-f', one, '--env', 'dev', '-o', 'json'], dev);
    expect(JSON.parse(planned).changes.filter((c: { action: string }) => c.action !== 'unchanged')).toEqual([
      { action: 'delete', resource: 'extra', instance: 'two-extra-dev', product: 'postgres', plan: 'small', details: ['no longer in the file'] },
    ]);
    const dropped = await paved(['apply', '-f', one, '--env', 'dev', '--wait'], dev);
    expect(dropped.code, failed(dropped)).toBe(0);
    expect(dropped.stdout).toMatch(/-\s+delete\s+extra\s+two-extra-dev/);
    await gone('two-extra-dev');
    expect(await resourcesWithPrefix(externalPrefix('two-extra-dev'))).toEqual({ databases: [], roles: [] });
    // The other one is untouched.
    expect((await resourcesWithPrefix(externalPrefix('two-main-dev'))).databases).toHaveLength(1);
    expect(JSON.parse(await pavedOk(['get', 'two-main-dev', '-o', 'json'], dev)).status.phase).toBe('Ready');
    expect(await pavedOk(['plan', '-f', one, '--env', 'dev'], dev)).toContain('No changes.');
  }, 90_000);

  it('shares a resource with an id between two services, and deletes it only when neither names it', async () => {
    const file = (service: string, withShared: boolean) => scoreFile(`${service}-${withShared}.yaml`, `apiVersion: score.dev/v1b1
metadata:
  name: ${service}
containers:
  main:
    image: .
    variables:
      ${withShared ? 'DB: ${resources.db.database}' : 'NOTHING: here'}
${withShared ? 'resources:\n  db:\n    type: postgres\n    id: common-db\n' : ''}`);
    const sharedName = 'common-db-dev';
    const sharedPrefix = externalPrefix(sharedName);

    expect(failed(await paved(['apply', '-f', file('alpha', true), '--env', 'dev', '--wait'], dev))).toMatch(/^exit 0/);
    const beta = await paved(['apply', '-f', file('beta', true), '--env', 'dev', '--wait'], dev);
    expect(beta.code, failed(beta)).toBe(0);
    expect(beta.stdout).toMatch(/=\s+unchanged\s+common-db\s+common-db-dev/);
    // One instance, one database, the same for both services.
    expect((await instances()).filter((i) => i.name.startsWith('common-db')).map((i) => i.name)).toEqual([sharedName]);
    expect((await resourcesWithPrefix(sharedPrefix)).databases).toHaveLength(1);
    const render = async (service: string) => JSON.parse(await pavedOk(['score', 'render', '-f', file(service, true), '--env', 'dev', '--format', 'json'], dev)).DB as string;
    const database = await render('alpha');
    expect(database).toMatch(new RegExp(`^${sharedPrefix}`));
    expect(await render('beta')).toBe(database);
    expect(JSON.parse(await pavedOk(['get', sharedName, '-o', 'json'], dev)).workload).toMatchObject({ resource: 'common-db', shared: true });

    // alpha lets go: beta still names it, so it stays.
    const alphaDrops = JSON.parse(await pavedOk(['apply', '-f', file('alpha', false), '--env', 'dev', '-o', 'json'], dev));
    expect(alphaDrops.changes.filter((c: { action: string }) => c.action !== 'unchanged')).toEqual([]);
    expect(JSON.parse(await pavedOk(['get', sharedName, '-o', 'json'], dev))).toMatchObject({ deletionRequested: false, status: { phase: 'Ready' } });
    expect((await resourcesWithPrefix(sharedPrefix)).databases).toEqual([database]);
    expect(await render('beta')).toBe(database);

    // beta lets go too: nobody names it, so it is deleted, on the server as well.
    const betaDrops = JSON.parse(await pavedOk(['apply', '-f', file('beta', false), '--env', 'dev', '-o', 'json'], dev));
    expect(betaDrops.changes.filter((c: { action: string }) => c.action !== 'unchanged')).toMatchObject([{ action: 'delete', resource: 'common-db', instance: sharedName }]);
    await gone(sharedName);
    expect(await resourcesWithPrefix(sharedPrefix)).toEqual({ databases: [], roles: [] });
  }, 90_000);

  it('refuses bad files with exit 2, naming file:line, and changes nothing', async () => {
    const before = (await instances()).map((i) => i.name).sort();
    const head = 'apiVersion: score.dev/v1b1\nmetadata:\n  name: broken\ncontainers:\n  web:\n    image: .\n    variables:\n';
    const unknownType = scoreFile('unknown-type.yaml', `${head}      DB_HOST: \${resources.db.host}\nresources:\n  db:\n    type: postgres\n  queue:\n    type: kafka-nope\n`);
    const noOutput = scoreFile('no-output.yaml', `${head}      DB_HOST: \${resources.db.hots}\nresources:\n  db:\n    type: postgres\n`);
    const badYaml = scoreFile('bad-yaml.yaml', `${head}      DB_HOST: "\${resources.db.host}\nresources:\n  db: [\n`);
    const cases: [string, RegExp][] = [
      [unknownType, new RegExp(`${escape(unknownType)}:13:11: resources\\.queue\\.type: no product serves Score type "kafka-nope" here \\(types served: [a-z, -]*postgres`)],
      [noOutput, new RegExp(`${escape(noOutput)}:8:16: containers\\.web\\.variables\\.DB_HOST: \\$\\{resources\\.db\\.hots\\} names no output of resource "db" \\(postgres outputs: host, port`)],
      [badYaml, new RegExp(`${escape(badYaml)}:\\d+:\\d+: invalid YAML`)],
    ];
    for (const [file, message] of cases) {
      for (const command of [['apply', '-f', file, '--env', 'dev', '--wait'], ['plan', '-f', file, '--env', 'dev'], ['run', '-f', file, '--env', 'dev', '--', 'true']]) {
        const result = await paved(command, dev);
        expect(result.code, `${command.join(' ')}: ${failed(result)}`).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stdout).toBe('');
      }
    }
    expect((await paved(['services', 'show', 'broken'], dev)).code).toBe(5);
    expect((await instances()).map((i) => i.name).sort()).toEqual(before);
  }, 60_000);

  it('applies nothing to an environment whose policy leaves no target, or denies the product', async () => {
    expect(await pavedOk(['environments', 'create', 'qa', '--selector', 'tier=nonexistent', '--description', 'no such targets'], admin)).toContain('environment qa created');
    expect(await pavedOk(['environments', 'create', 'locked', '--deny-product', 'postgres'], admin)).toContain('environment locked created');
    const shown = await pavedOk(['environments', 'show', 'qa'], dev);
    expect(shown).toMatch(/Selector:\s+tier=nonexistent/);
    const before = (await instances()).map((i) => i.name).sort();

    const qaPlan = await paved(['plan', '-f', fixture('postgres'), '--env', 'qa', '--service', 'svc-qa'], dev);
    const qa = await paved(['apply', '-f', fixture('postgres'), '--env', 'qa', '--service', 'svc-qa', '--wait'], dev);
    for (const result of [qaPlan, qa]) {
      expect(result.code, failed(result)).toBe(2);
      expect(result.stderr).toMatch(/resources\.my-postgres\.type: No target is configured for driver "postgres" with labels tier=nonexistent/);
    }
    const locked = await paved(['apply', '-f', fixture('postgres'), '--env', 'locked', '--service', 'svc-locked', '--wait'], dev);
    expect(locked.code, failed(locked)).toBe(2);
    expect(locked.stderr).toContain('resources.my-postgres.type: postgres may not be used in environment locked (its policy denies it)');

    // Nothing half-created: no service, no instance, nothing on the server.
    for (const service of ['svc-qa', 'svc-locked']) expect((await paved(['services', 'show', service], dev)).code).toBe(5);
    expect((await instances()).map((i) => i.name).sort()).toEqual(before);
    expect(await resourcesWithPrefix(`${prefix}svc_qa_`)).toEqual({ databases: [], roles: [] });
    expect(await resourcesWithPrefix(`${prefix}svc_locked_`)).toEqual({ databases: [], roles: [] });
    const unknownEnv = await paved(['apply', '-f', fixture('postgres'), '--env', 'nowhere', '--service', 'svc-qa'], dev);
    expect(unknownEnv.code).toBe(5);
    expect(unknownEnv.stderr).toContain('Environment "nowhere" does not exist');
  }, 60_000);

  it('deleting every instance leaves nothing on any server', async () => {
    const left = await instances();
    const results = await Promise.all(left.map((i) => paved(['delete', i.name, '--wait', '--timeout', '60s'], dev)));
    for (const result of results) expect(result.code, failed(result)).toBe(0);
    expect(await instances()).toEqual([]);
    expect(await inventory(prefix)).toEqual([]);
    for (const service of [...Object.values(serviceOf), 'two', 'alpha', 'beta']) await pavedOk(['services', 'delete', service], dev);
  }, 90_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
