/**
 * The Score project's redis example (fixtures/score/redis/score.yaml), applied unchanged to a
 * real `paved up`, gets the redis product's default plan: a redis-server of its own, run by
 * Paved. Its container's command (`SET mykey hello`, then `GET mykey`) works with the variables
 * Paved renders. The server outlives Paved: a Paved stopped with SIGKILL and started again adopts
 * it (a rotation goes through it, and no second server appears); a server killed behind Paved's
 * back is started again by drift repair with its data; deleting the instance leaves no process,
 * no file and no port claim.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, paved, pavedOk, startServer, tempDir, waitFor, type CliResult, type ServerProcess } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'fixtures/score/redis/score.yaml');
const NODE_PATH = join(ROOT, 'node_modules');
const REDIS_SERVER = '/usr/bin/redis-server';

// The container's command, done by a program with the variables the fixture renders.
const SET_GET = `
const { Redis } = require('ioredis');
(async () => {
  const e = process.env;
  const r = new Redis({ host: e.REDIS_HOST, port: Number(e.REDIS_PORT), username: e.REDIS_USERNAME, password: e.REDIS_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  await r.connect();
  if (process.argv[1] === 'set') console.log('SET mykey hello: ' + (await r.set('mykey', 'hello')));
  console.log('GET mykey: ' + (await r.get('mykey')));
  r.disconnect();
})().catch((error) => { console.error(error.message); process.exit(1); });`;

/** Processes whose command line names `conf`: the instance's servers. */
function serversRunning(conf: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(conf);
    } catch {
      return false;
    }
  }).map(Number);
}

const skip = existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} is not installed`;
if (skip && process.env.CI === 'true') throw new Error(`redis dedicated e2e: ${skip} (CI=true: failing)`);
if (skip) console.warn(`skipping the redis dedicated e2e: ${skip}`);

describe.skipIf(skip !== undefined)('redis: the Score example on a dedicated server Paved runs', () => {
  const dir = tempDir('e2e-redis-dedicated');
  const dataDir = join(dir, 'redis-servers');
  const suffix = Math.random().toString(16).slice(2, 8);
  const team = `rd-${suffix}`;
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json'), PAVED_TEAM: team };
  const dev = { ...admin, NODE_PATH };
  const instance = 'web-my-redis-dev';
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess | undefined;
  let externalName = '';

  const run = (...args: string[]) => paved(['run', '-f', FIXTURE, '--env', 'dev', '--service', 'web', '--', process.execPath, '-e', SET_GET, ...args], dev);
  const failed = (result: CliResult) => `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  const conf = () => join(dataDir, externalName, 'redis.conf');
  const start = async () => {
    server = await startServer(['up'], env, { port: Number(env.PAVED_PORT) });
  };

  beforeAll(async () => {
    const port = await freePort();
    const first = 21_000 + Math.floor(Math.random() * 200) * 20;
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, [
      'apiVersion: paved.dev/v1alpha1',
      'kind: Target',
      'metadata: { name: redis-host }',
      'spec:',
      '  driver: redis',
      `  config: { servers: { bind: 127.0.0.1, ports: "${first}-${first + 19}", dataDir: ${dataDir}, redisServer: ${REDIS_SERVER} } }`,
      '',
    ].join('\n'));
    env = {
      PAVED_CLI_CONFIG: admin.PAVED_CLI_CONFIG, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_TARGETS_FILE: targets,
      // Drift checks every second; and a Paved killed in the middle of a pass holds its lease
      // until it expires, so a short one lets the restarted Paved take the instance up sooner.
      PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn', PAVED_DRIFT_INTERVAL: '1s', PAVED_LEASE: '10s',
    };
    await start();
    await pavedOk(['teams', 'create', team], admin);
  }, 120_000);

  afterAll(async () => {
    try {
      if (server && externalName !== '') await paved(['delete', instance, '--wait', '--timeout', '60s'], admin);
    } finally {
      await server?.stop();
      // Whatever a failure left running.
      if (externalName !== '') for (const pid of serversRunning(conf())) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);

  it('applies the example unchanged and its command works with the rendered variables', async () => {
    const applied = await paved(['apply', '-f', FIXTURE, '--env', 'dev', '--service', 'web', '--wait'], dev);
    expect(applied.code, failed(applied)).toBe(0);
    const got = JSON.parse(await pavedOk(['get', instance, '-o', 'json'], dev)) as { plan: string; externalName: string; status: { phase: string }; outputs: Record<string, string> };
    expect(got).toMatchObject({ plan: 'dedicated', status: { phase: 'Ready' }, outputs: { host: '127.0.0.1', username: 'default' } });
    externalName = got.externalName;
    expect(serversRunning(conf())).toHaveLength(1);

    const result = await run('set');
    expect(result.code, failed(result)).toBe(0);
    expect(result.stdout).toContain('SET mykey hello: OK\nGET mykey: hello');
  }, 120_000);

  it('a Paved killed and started again adopts the running server: a rotation goes through it and no second server starts', async () => {
    const [pid] = serversRunning(conf());
    await server!.kill();
    expect(serversRunning(conf())).toEqual([pid]);
    await start();
    const rotated = await paved(['rotate', instance, '--wait', '--timeout', '60s'], dev);
    expect(rotated.code, failed(rotated)).toBe(0);
    expect(serversRunning(conf())).toEqual([pid]);
    // The rendered variables now hold the new password, and the data is still there.
    const result = await run();
    expect(result.code, failed(result)).toBe(0);
    expect(result.stdout).toContain('GET mykey: hello');
  }, 120_000);

  it('a server killed behind Paved\'s back is started again by drift repair, with its data', async () => {
    const [pid] = serversRunning(conf());
    process.kill(pid!, 'SIGKILL');
    const [again] = await waitFor('the server to be started again', async () => {
      const running = serversRunning(conf());
      return running.length === 1 && running[0] !== pid ? running : undefined;
    }, 60_000);
    expect(again).not.toBe(pid);
    await waitFor('the instance to be Ready again', async () => {
      const got = JSON.parse(await pavedOk(['get', instance, '-o', 'json'], dev)) as { status: { phase: string } };
      return got.status.phase === 'Ready';
    }, 60_000);
    const result = await run();
    expect(result.code, failed(result)).toBe(0);
    expect(result.stdout).toContain('GET mykey: hello');
  }, 120_000);

  it('deleting the instance leaves no process, no file and no port claim', async () => {
    const deleted = await paved(['delete', instance, '--wait', '--timeout', '60s'], admin);
    expect(deleted.code, failed(deleted)).toBe(0);
    expect(serversRunning(conf())).toEqual([]);
    expect(existsSync(join(dataDir, externalName))).toBe(false);
    expect(readdirSync(join(dataDir, 'ports'))).toEqual([]);
    externalName = '';
  }, 120_000);
});
