// The baselines of bench/time-to-ready.mjs: what a person with admin access would run by hand
// to give a team the same resource and check that its credentials work — the same statements
// the driver runs, without Paved. Each `provision` returns the elapsed milliseconds and
// cleans up afterwards (cleanup is not timed).
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import amqp from 'amqplib';

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
  const file = join(tmpdir(), `paved-bench-targets-${process.pid}.yaml`);
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

export async function directOps(product) {
  const make = { postgres: postgresOps, mysql: mysqlOps, redis: redisOps, amqp: amqpOps }[product];
  if (!make) throw new Error(`no direct baseline for product ${product}`);
  return make();
}

async function postgresOps() {
  const admin = new pg.Client({ connectionString: TARGETS.postgres });
  await admin.connect();
  return {
    async provision(i) {
      const name = `bench_direct_${process.pid}_${i}`;
      const password = randomBytes(24).toString('hex');
      const start = performance.now();
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
      const ms = performance.now() - start;
      await admin.query(`DROP DATABASE "${name}"`);
      await admin.query(`DROP ROLE "${name}"`);
      return ms;
    },
    close: () => admin.end(),
  };
}

async function mysqlOps() {
  const admin = await mysql.createConnection(TARGETS.mysql);
  return {
    async provision(i) {
      const name = `bench_direct_${process.pid}_${i}`;
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
  const admin = new Redis(TARGETS.redis);
  return {
    async provision(i) {
      const name = `bench_direct_${process.pid}_${i}`;
      const password = randomBytes(24).toString('hex');
      const hash = createHash('sha256').update(password).digest('hex');
      const start = performance.now();
      await admin.call('ACL', 'SETUSER', name, 'reset', 'on', `#${hash}`, `~${name}:*`, `&${name}:*`, '+@all', '-@dangerous', '-@admin', '-scan', '-randomkey', '-select', '-swapdb', '-move');
      const tenant = new Redis({ host: '127.0.0.1', port: 6379, username: name, password, enableReadyCheck: false, lazyConnect: true });
      await tenant.connect();
      await tenant.set(`${name}:check`, 'x');
      await tenant.get(`${name}:check`);
      await tenant.del(`${name}:check`);
      await tenant.get('other:key').catch(() => undefined); // isolation: refused
      tenant.disconnect();
      const ms = performance.now() - start;
      await admin.call('ACL', 'DELUSER', name);
      return ms;
    },
    close: async () => admin.disconnect(),
  };
}

async function amqpOps() {
  const management = new URL(TARGETS.rabbitmqManagement);
  const auth = 'Basic ' + Buffer.from(`${management.username}:${management.password}`).toString('base64');
  const base = `${management.protocol}//${management.host}/api`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!response.ok && response.status !== 404) throw new Error(`${method} ${path}: ${response.status}`);
  };
  return {
    async provision(i) {
      const name = `bench_direct_${process.pid}_${i}`;
      const password = randomBytes(24).toString('hex');
      const salt = randomBytes(4);
      const hash = Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(password)])).digest()]).toString('base64');
      const start = performance.now();
      await call('PUT', `/vhosts/${name}`);
      await call('PUT', `/users/${name}`, { password_hash: hash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' });
      await call('PUT', `/permissions/${name}/${name}`, { configure: '.*', write: '.*', read: '.*' });
      const connection = await amqp.connect(`amqp://${name}:${password}@127.0.0.1:5672/${name}`, { noDelay: true });
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      channel.sendToQueue(queue, Buffer.from('x'));
      await channel.get(queue);
      await connection.close();
      const ms = performance.now() - start;
      await call('DELETE', `/users/${name}`);
      await call('DELETE', `/vhosts/${name}`);
      return ms;
    },
    close: async () => {},
  };
}
