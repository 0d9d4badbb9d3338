// The baselines of bench/time-to-ready.mjs: what a person with admin access would run by hand
// to give a team the same resource and check that its credentials work, without Paved. Two
// variants, measured side by side:
//   same     the statements the driver's create runs that change something (not its
//            defensive reads), with the same login scheme (MariaDB ed25519, PostgreSQL SCRAM with
//            4096 iterations, the same Redis ACL rules, RabbitMQ's vhost limits), then the same
//            contract checks, round trip for round trip (packages/drivers/*/src/checks.ts);
//   minimal  the earlier baseline: fewer statements (MariaDB mysql_native_password and one
//            account, no RabbitMQ limits, no PostgreSQL catalog restriction) and lighter checks
//            (no AMQP isolation at all, one Redis probe, one MariaDB SHOW GRANTS).
// Each `provision` returns the elapsed milliseconds and cleans up afterwards (not timed). What a
// provision makes (bench_direct_PID_I: database, users or role, ACL user, vhost) is owned until it
// has removed it itself (leftovers.mjs ownLeftover): a provision that fails is removed at once; on
// SIGINT/SIGTERM/SIGHUP nothing more is sent, the provision in flight is awaited and its objects
// removed; on any other exit, by a node of this file:
//
//   node bench/direct-ops.mjs --remove postgres|mysql|redis|amqp NAME   removes what a provision made
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import amqp from 'amqplib';
import { CHECK_SESSION_OPTIONS, ed25519PublicKey, tenantAuthPlugins } from '@paved/driver-mysql';
import { HIDDEN_CATALOGS, ISOLATION_SQL } from '@paved/driver-postgres';
import { TENANT_COMMAND_RULES } from '@paved/driver-redis';
import { dropDatabase, ownLeftover } from './leftovers.mjs';
import { tempFolder } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);

export const TARGETS = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: 'mysql://root:@127.0.0.1:3306/',
  redis: 'redis://127.0.0.1:6379',
  rabbitmqManagement: 'http://guest:guest@127.0.0.1:15672',
  amqp: 'amqp://127.0.0.1:5672',
};

/** A targets file with one target per driver the benchmarks use, on this machine's services. */
export function benchTargetsFile() {
  const yaml = [
    ['postgres', { url: TARGETS.postgres, closeServerDatabases: false }], // the machine's shared server
    ['mysql', { url: TARGETS.mysql }],
    ['redis', { url: TARGETS.redis }],
    ['rabbitmq', { managementUrl: TARGETS.rabbitmqManagement, amqpUrl: TARGETS.amqp }],
  ].map(([driver, config]) => `apiVersion: paved.dev/v1alpha1\nkind: Target\nmetadata: { name: bench-${driver} }\nspec: { driver: ${driver}, config: ${JSON.stringify(config)} }\n`).join('---\n');
  const file = join(tempFolder('paved-bench-targets-'), 'targets.yaml');
  writeFileSync(file, yaml);
  return file;
}

/**
 * The create request matching the direct operations: redis's default plan is a dedicated
 * server, while the direct operations make an ACL user with a key prefix on the shared one,
 * which is plan small.
 */
export function requestFor(product, name) {
  return { name, product, ...(product === 'redis' ? { plan: 'small' } : {}) };
}

/** `variant`: 'same' (what the driver does) or 'minimal' (the earlier, lighter baseline). */
export async function directOps(product, variant = 'same') {
  const variants = {
    same: { postgres: postgresSameOps, mysql: mysqlSameOps, redis: redisSameOps, amqp: amqpSameOps },
    minimal: { postgres: postgresOps, mysql: mysqlOps, redis: redisOps, amqp: amqpOps },
  };
  const make = variants[variant]?.[product];
  if (!make) throw new Error(`no direct baseline for product ${product} (${variant})`);
  const ops = await make();
  // On a signal, first of all: no provision starts, nor sends anything more, while the servers stop.
  abandonOnSignal ??= ownLeftover(async () => {
    abandoned = true;
  });
  return { ...ops, provision: (i) => owned(product, directName(i), () => ops.provision(i)) };
}

/** The name of provision `i`'s database, users, role, ACL user and vhost. */
const directName = (i) => `bench_direct_${process.pid}_${i}`;

/** Set when the benchmark is interrupted: nothing is sent after it. */
let abandoned = false;
let abandonOnSignal;

/** `methods` of `client` refused once abandoned, so that a provision cut short makes nothing after its removal. */
function untilAbandoned(client, ...methods) {
  for (const method of methods) {
    const send = client[method].bind(client);
    client[method] = (...args) => (abandoned ? Promise.reject(new Error('the benchmark is stopping')) : send(...args));
  }
  return client;
}

/**
 * Runs `provision` (which makes `name` on `product`'s service and removes it once timed), owning
 * `name` until it has: removed here if it fails; on a signal, nothing more sent, the provision
 * awaited (30 s at most), then removed.
 */
async function owned(product, name, provision) {
  if (abandoned) throw new Error('the benchmark is stopping');
  let running;
  const release = ownLeftover(async () => {
    abandoned = true;
    await Promise.race([running?.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    await removeDirect(product, name);
  }, [SELF, '--remove', product, name]);
  running = provision();
  try {
    const ms = await running;
    release();
    return ms;
  } catch (error) {
    // Abandoned, the signal's removal has it; otherwise now (a failed removal leaves it to the exit's).
    if (!abandoned) await removeDirect(product, name).then(release, (removal) => console.error(`could not remove ${name}: ${removal.message}`));
    throw error;
  }
}

/** Removes what provision `name` made on `product`'s service, whatever of it exists. */
export async function removeDirect(product, name) {
  if (product === 'postgres') {
    await dropDatabase(name, TARGETS.postgres); // WITH (FORCE): a tenant session left open does not keep it
    const admin = new pg.Client({ connectionString: TARGETS.postgres });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS "${name}"`);
    } finally {
      await admin.end();
    }
  } else if (product === 'mysql') {
    const admin = await mysql.createConnection(TARGETS.mysql);
    try {
      // The driver's hosts ('same') and '%' ('minimal').
      await admin.query(`DROP USER IF EXISTS ${[...MYSQL_CLIENT_HOSTS, '%'].map((host) => `'${name}'@'${host}'`).join(', ')}`);
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await admin.end();
    }
  } else if (product === 'redis') {
    const admin = new Redis(TARGETS.redis);
    try {
      await admin.call('ACL', 'DELUSER', name);
    } finally {
      admin.disconnect();
    }
  } else if (product === 'amqp') {
    const api = managementApi();
    await api.must('DELETE', `/users/${name}`);
    await api.must('DELETE', `/vhosts/${name}`);
  } else {
    throw new Error(`no direct baseline for product ${product}`);
  }
}

/** The driver's default clientHosts: one account per host pattern (packages/drivers/mysql/src/target-config.ts). */
const MYSQL_CLIENT_HOSTS = ['localhost', '127.0.0.1', '::1'];

async function mysqlSameOps() {
  const admin = untilAbandoned(await mysql.createConnection(TARGETS.mysql), 'query');
  return {
    async provision(i) {
      const name = directName(i);
      const password = randomBytes(24).toString('hex');
      const accounts = MYSQL_CLIENT_HOSTS.map((host) => `'${name}'@'${host}'`);
      const start = performance.now();
      // On the clock, as the driver's create derives it (round 10: it had been left outside).
      const publicKey = ed25519PublicKey(password);
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      // Every host's account in one statement, and one grant naming them all, as the driver sends them.
      await admin.query(`CREATE USER ${accounts.map((account) => `${account} IDENTIFIED VIA ed25519 USING '${publicKey}'`).join(', ')} WITH MAX_USER_CONNECTIONS 20`);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${name.replace(/_/g, '\\_')}\`.* TO ${accounts.join(', ')}`);
      // The checks: connect, write-read, isolation, as packages/drivers/mysql/src/checks.ts sends them,
      // on a session set up as the driver's (no statement cache, no compiled row parsers: round 16),
      // so that the client library's defaults are not counted against the direct path.
      const tenant = await mysql.createConnection({
        host: '127.0.0.1', port: 3306, user: name, password, database: name, authPlugins: tenantAuthPlugins(), multipleStatements: true, ...CHECK_SESSION_OPTIONS,
      });
      await tenant.query('SELECT DATABASE() AS db');
      await tenant.query("CREATE TABLE paved_check (probe VARCHAR(32) NOT NULL) ENGINE=MEMORY; INSERT INTO paved_check (probe) VALUES ('x'); SELECT probe FROM paved_check; DROP TABLE paved_check");
      // The isolation reads and, last, the refused read of the mysql schema, in one round trip.
      await tenant.query("SELECT CURRENT_USER() AS account; SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'; SHOW CREATE USER CURRENT_USER(); SHOW DATABASES; SHOW GRANTS FOR CURRENT_USER(); SELECT COUNT(*) FROM mysql.user").then(
        () => { throw new Error('the tenant could read mysql.user'); },
        // Refused, as it must be (1142, 1044); any other failure is the bench's.
        (error) => { if (error.errno !== 1142 && error.errno !== 1044) throw error; },
      );
      await tenant.end();
      const ms = performance.now() - start;
      await admin.query(`DROP USER ${accounts.join(', ')}`);
      await admin.query(`DROP DATABASE \`${name}\``);
      return ms;
    },
    close: () => admin.end(),
  };
}

/**
 * A PostgreSQL baseline: `timed(admin, name, password)` is what is measured; what it returns in
 * `after` is awaited once the clock has stopped; the database and role are dropped after.
 * `createDatabaseMs` (when `timed` returns it) is kept per measured run, in `createDatabaseMs`:
 * CREATE DATABASE alone varies by hundreds of ms on a shared cluster, and that share of the
 * direct time lets a reader tell its noise from the rest.
 */
async function postgresOpsWith(timed) {
  // Two admin connections, opened once: the driver's pool lends it two at a time (role and database at once).
  const admin = untilAbandoned(new pg.Client({ connectionString: TARGETS.postgres }), 'query');
  const admin2 = untilAbandoned(new pg.Client({ connectionString: TARGETS.postgres }), 'query');
  await Promise.all([admin.connect(), admin2.connect()]);
  const createDatabaseMs = [];
  return {
    createDatabaseMs,
    async provision(i) {
      const name = directName(i);
      const password = randomBytes(24).toString('hex');
      const start = performance.now();
      const { after, createDatabaseMs: createMs } = await timed(admin, name, password, admin2);
      const ms = performance.now() - start;
      if (typeof i === 'number' && createMs !== undefined) createDatabaseMs.push(createMs);
      await after;
      await admin.query(`DROP DATABASE "${name}"`);
      await admin.query(`DROP ROLE "${name}"`);
      return ms;
    },
    close: () => Promise.all([admin.end(), admin2.end()]),
  };
}

function postgresSameOps() {
  return postgresOpsWith(async (admin, name, password, admin2) => {
    // As the driver's create: the database (the admin's until the role exists) and the role at
    // once, on two connections; the server hashes the password (SCRAM-SHA-256, 4096 iterations,
    // as the driver's verifier). Then the owner given to the role in the batch that closes it.
    const createStart = performance.now();
    let createDatabaseMs;
    await bothOrThrow([
      admin.query(`CREATE DATABASE "${name}"`).then(() => { createDatabaseMs = performance.now() - createStart; }),
      admin2.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}' CONNECTION LIMIT 20`),
    ]);
    await admin.query(`ALTER DATABASE "${name}" OWNER TO "${name}"; REVOKE ALL ON DATABASE "${name}" FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE "${name}" TO "${name}"`);
    // The catalogs the driver hides, closed as the admin connected to the new database.
    const inside = new pg.Client({ connectionString: TARGETS.postgres.replace(/\/postgres$/, `/${name}`) });
    await inside.connect();
    await inside.query(`REVOKE SELECT ON ${HIDDEN_CATALOGS.join(', ')} FROM PUBLIC`);
    await inside.end();
    // The checks, as packages/drivers/postgres/src/checks.ts sends them.
    const tenant = new pg.Client({ host: '127.0.0.1', port: 5432, user: name, password, database: name });
    await tenant.connect();
    await tenant.query('SELECT current_database() AS db');
    await tenant.query("BEGIN; CREATE TABLE paved_check (probe text NOT NULL); INSERT INTO paved_check (probe) VALUES ('x'); SELECT probe FROM paved_check; ROLLBACK");
    await tenant.query(ISOLATION_SQL, [false, 'postgres', HIDDEN_CATALOGS]);
    // Like the checks, not waiting for the backend to exit.
    return { after: tenant.end(), createDatabaseMs };
  });
}

/**
 * Promise.all that, when one fails, waits for the others before it throws: a CREATE DATABASE still
 * in flight would otherwise make its database after the failed provision's removal.
 */
async function bothOrThrow(promises) {
  const failed = (await Promise.allSettled(promises)).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A Redis baseline: the ACL user with `rules` (and the key and channel prefix), then `checks`
 * as that user over a fresh login (`tenantOptions` added to the client's).
 */
function redisOpsWith(rules, tenantOptions, checks) {
  const admin = untilAbandoned(new Redis(TARGETS.redis), 'call');
  return {
    async provision(i) {
      const name = directName(i);
      const password = randomBytes(24).toString('hex');
      const hash = createHash('sha256').update(password).digest('hex');
      const start = performance.now();
      await admin.call('ACL', 'SETUSER', name, 'reset', 'on', `#${hash}`, `~${name}:*`, `&${name}:*`, ...rules);
      const tenant = new Redis({ host: '127.0.0.1', port: 6379, username: name, password, enableReadyCheck: false, lazyConnect: true, ...tenantOptions });
      await tenant.connect();
      await checks(tenant, name);
      tenant.disconnect();
      const ms = performance.now() - start;
      await admin.call('ACL', 'DELUSER', name);
      return ms;
    },
    close: async () => admin.disconnect(),
  };
}

async function redisSameOps() {
  // The checks, as packages/drivers/redis/src/checks.ts sends them (each group one round trip).
  return redisOpsWith(TENANT_COMMAND_RULES, { maxRetriesPerRequest: 0, retryStrategy: () => null }, async (tenant, name) => {
    await tenant.ping();
    await Promise.all([tenant.set(`${name}:check`, 'x', 'PX', 60_000), tenant.get(`${name}:check`), tenant.unlink(`${name}:check`)]);
    const refused = () => undefined;
    await Promise.all([
      tenant.get('other:key').catch(refused), tenant.set('other:key', 'x', 'PX', 1_000).catch(refused), tenant.scan('0', 'COUNT', 10).catch(refused),
      tenant.keys('*').catch(refused), tenant.call('SELECT', '1').catch(refused),
    ]);
  });
}

/** The management API as the admin: `call` returns the status, `must` throws on an error but 404. */
function managementApi() {
  const management = new URL(TARGETS.rabbitmqManagement);
  const auth = 'Basic ' + Buffer.from(`${management.username}:${management.password}`).toString('base64');
  const base = `${management.protocol}//${management.host}/api`;
  // node:http on its kept-alive global agent, as the driver sends them (its http-call.ts; round
  // 10): global fetch costs two to three times the CPU a call, which is the client's, not the
  // operation's.
  const call = (method, path, body, authorization = auth) =>
    new Promise((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const headers = { authorization, 'content-type': 'application/json', ...(payload ? { 'content-length': String(Buffer.byteLength(payload)) } : {}) };
      const req = httpRequest(`${base}${path}`, { method, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  const must = async (...args) => {
    const status = await call(...args);
    if (status >= 300 && status !== 404) throw new Error(`${args[0]} ${args[1]}: ${status}`);
  };
  return { call, must };
}

/**
 * A RabbitMQ baseline: the vhost, `limits`, the user (a salted SHA-256 hash) and its rights made
 * through the management API, then `checks({ name, password, api })` as that user.
 */
function amqpOpsWith(limits, checks) {
  const api = untilAbandoned(managementApi(), 'call', 'must');
  return {
    async provision(i) {
      const name = directName(i);
      const password = randomBytes(24).toString('hex');
      const salt = randomBytes(4);
      const hash = Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(password)])).digest()]).toString('base64');
      const start = performance.now();
      await api.must('PUT', `/vhosts/${name}`);
      // The whole set in one PUT of the runtime parameter, as the driver's create sends it.
      if (Object.keys(limits).length > 0) await api.must('PUT', `/parameters/vhost-limits/${name}/limits`, { value: limits });
      await api.must('PUT', `/users/${name}`, { password_hash: hash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' });
      await api.must('PUT', `/permissions/${name}/${name}`, { configure: '.*', write: '.*', read: '.*' });
      await checks({ name, password, api });
      const ms = performance.now() - start;
      await api.must('DELETE', `/users/${name}`);
      await api.must('DELETE', `/vhosts/${name}`);
      return ms;
    },
    close: async () => {},
  };
}

async function amqpSameOps() {
  // The checks, as packages/drivers/rabbitmq/src/checks.ts runs them.
  return amqpOpsWith({ 'max-connections': 20, 'max-queues': 100 }, async ({ name, password, api }) => {
    const connection = await amqp.connect(`amqp://${name}:${password}@127.0.0.1:5672/${name}`, { noDelay: true });
    const channel = await connection.createConfirmChannel();
    const queue = `paved-check.${name}`;
    const declared = channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    channel.sendToQueue(queue, Buffer.from('x'));
    await Promise.all([declared, channel.waitForConfirms()]);
    await channel.get(queue, { noAck: true });
    // Isolation: the vhosts listed, '/' refused and the management API refused, at once.
    await Promise.all([
      api.call('GET', '/vhosts?columns=name'),
      amqp.connect(`amqp://${name}:${password}@127.0.0.1:5672/%2F`, { noDelay: true }).then((other) => other.close(), () => undefined),
      api.call('GET', '/whoami', undefined, 'Basic ' + Buffer.from(`${name}:${password}`).toString('base64')),
    ]);
    await connection.close();
  });
}

function postgresOps() {
  return postgresOpsWith(async (admin, name, password) => {
    await admin.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}' CONNECTION LIMIT 20`);
    await admin.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
    await admin.query(`REVOKE ALL ON DATABASE "${name}" FROM PUBLIC`);
    // The product's contract checks: connect, write-read, isolation.
    const tenant = new pg.Client({ host: '127.0.0.1', port: 5432, user: name, password, database: name });
    await tenant.connect();
    await tenant.query('BEGIN');
    await tenant.query('CREATE TABLE paved_check (v text)');
    await tenant.query("INSERT INTO paved_check VALUES ('x')");
    await tenant.query('SELECT v FROM paved_check');
    await tenant.query('ROLLBACK');
    await tenant.query("SELECT datname FROM pg_database WHERE datname LIKE 'pv\\_%' AND has_database_privilege(datname, 'CONNECT')");
    await tenant.end();
    return {};
  });
}

async function mysqlOps() {
  const admin = untilAbandoned(await mysql.createConnection(TARGETS.mysql), 'query');
  return {
    async provision(i) {
      const name = directName(i);
      const password = randomBytes(24).toString('hex');
      const hash = '*' + createHash('sha1').update(createHash('sha1').update(password).digest()).digest('hex').toUpperCase();
      const start = performance.now();
      await admin.query(`CREATE DATABASE \`${name}\``);
      await admin.query(`CREATE USER '${name}'@'%' IDENTIFIED BY PASSWORD '${hash}'`);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${name.replace(/_/g, '\\_')}\`.* TO '${name}'@'%'`);
      const tenant = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: name, password, database: name });
      await tenant.query('CREATE TABLE paved_check (v varchar(10))');
      await tenant.query("INSERT INTO paved_check VALUES ('x')");
      await tenant.query('SELECT v FROM paved_check');
      await tenant.query('DROP TABLE paved_check');
      await tenant.query('SHOW GRANTS');
      await tenant.end();
      const ms = performance.now() - start;
      await admin.query(`DROP USER '${name}'@'%'`);
      await admin.query(`DROP DATABASE \`${name}\``);
      return ms;
    },
    close: () => admin.end(),
  };
}

async function redisOps() {
  const rules = ['+@all', '-@dangerous', '-@admin', '-scan', '-randomkey', '-select', '-swapdb', '-move'];
  return redisOpsWith(rules, {}, async (tenant, name) => {
    await tenant.set(`${name}:check`, 'x');
    await tenant.get(`${name}:check`);
    await tenant.del(`${name}:check`);
    await tenant.get('other:key').catch(() => undefined); // isolation: refused
  });
}

async function amqpOps() {
  return amqpOpsWith({}, async ({ name, password }) => {
    const connection = await amqp.connect(`amqp://${name}:${password}@127.0.0.1:5672/${name}`, { noDelay: true });
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    channel.sendToQueue(queue, Buffer.from('x'));
    await channel.get(queue);
    await connection.close();
  });
}

if (process.argv[1] === SELF && process.argv[2] === '--remove') {
  const [product, name] = process.argv.slice(3);
  console.error(`removing what this benchmark left: ${product} ${name}`);
  await removeDirect(product, name).catch((error) => {
    console.error(`could not remove ${name}: ${error.message}`);
    process.exitCode = 1;
  });
}
