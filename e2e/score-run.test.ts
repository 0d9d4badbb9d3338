/**
 * Score's common types on a developer's machine, end to end with real files applied unchanged
 * (fixtures/score/wild): the real CLI and server, and real processes started by `paved run`.
 * - traderx's people-service and account-service, applied in either order: account-service's
 *   `service` resource renders people-service's address, and its process reaches the other
 *   process there; it also reaches a third workload (the community dns/route sample) through
 *   the router `paved run` serves that workload's route on.
 * - score-compose's service-port sample: the port is filled in once the workload it names is
 *   applied; its environment, files and volume samples through `paved run`.
 * - a type Paved does not serve (score-compose's mongodb sample) is refused with the next step
 *   until a platform team publishes examples/score-mongodb, then applies unchanged.
 * Needs no outside service: SQLite, and the score and script targets are this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WILD = join(ROOT, 'fixtures/score/wild');
const MONGO_EXAMPLE = join(ROOT, 'examples/score-mongodb');
const suffix = Math.random().toString(16).slice(2, 8);
const team = `run-${suffix}`;

/** A port the real file names: it must be free, or the test cannot run its process there. */
async function requireFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new Error(`port ${port} (named by a Score file under test) is in use on this machine`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** An HTTP server on `port` that answers who it is, the path, and one variable it was given. */
const SERVER = (port: number, who: string, variable: string) => `
require('http').createServer((req, res) => res.end('${who} answered ' + req.url + ' ' + (process.env.${variable} || '') + '\\n'))
  .listen(${port}, '127.0.0.1', () => console.log('listening on ${port}'));
process.on('SIGTERM', () => process.exit(0));`;

/** account-service's program: people-service at the address its Score file renders, and a route through the router. */
const CLIENT = `
const http = require('http');
const get = (options) => new Promise((resolve, reject) => {
  http.get(options, (res) => { let body = ''; res.on('data', (d) => (body += d)); res.on('end', () => resolve(res.statusCode + ' ' + body.trim())); }).on('error', reject);
});
(async () => {
  console.log('direct: ' + await get({ host: process.env.PEOPLE_SERVICE_HOST, port: 18089, path: '/people/42' }));
  const route = new URL(process.argv[1]);
  // Node does not resolve *.localhost: the router is on this machine, the Host header picks the route.
  console.log('routed: ' + await get({ host: '127.0.0.1', port: Number(route.port), path: '/hello', headers: { host: route.host } }));
})().catch((error) => { console.error(error); process.exit(1); });`;

/** `paved run …` kept running in the background until its program says `ready`. */
interface Running {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function startRun(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`paved ${args.join(' ')} did not get ready:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (!ready.test(output)) return;
      clearTimeout(timer);
      resolve({ child, output: () => output, stop: async () => { if (child.exitCode === null) child.kill('SIGTERM'); await exited; } });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => { clearTimeout(timer); reject(new Error(`paved ${args.join(' ')} exited first:\n${output}`)); });
  });
}

function httpGet(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

describe('Score workloads run on a developer\'s machine', () => {
  const dir = tempDir('e2e-score-run');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const inventory = join(dir, 'mongo-inventory');
  let routerPort = 0;
  let server: ServerProcess | undefined;
  const running: Running[] = [];
  const t = ['--team', team];
  /** A sample copied with its folder (so `.paved/` lands in the temp folder, not the repository). */
  const project = (from: string) => {
    const to = join(dir, 'projects', from.replace(/\//g, '_'));
    cpSync(join(WILD, from), to, { recursive: true });
    return to;
  };

  beforeAll(async () => {
    routerPort = await freePort();
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, [
      'apiVersion: paved.dev/v1alpha1', 'kind: Target', 'metadata: { name: dev-workloads }',
      'spec:', '  driver: score', `  config: { domain: localhost, routerPort: ${routerPort}, workloadHost: 127.0.0.1 }`, '---',
      'apiVersion: paved.dev/v1alpha1', 'kind: Target', 'metadata: { name: team-mongodb, labels: { kind: mongodb } }',
      'spec:', '  driver: script', '  config:', `    executable: ${JSON.stringify(join(MONGO_EXAMPLE, 'provision.mjs'))}`,
      '    timeout: 30s', '    host: mongodb.internal.example', '    port: 27017', `    inventory: ${JSON.stringify(inventory)}`, '',
    ].join('\n'));
    const port = await freePort();
    server = await startServer(['up'], {
      ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn',
    }, { port });
    await pavedOk(['teams', 'create', team], admin);
  }, 120_000);

  afterAll(async () => {
    for (const run of running) await run.stop();
    await server?.stop();
  }, 60_000);

  it('says to apply first, with the --service and --team the user gave, and says it once', async () => {
    const file = join(project('score-spec-examples/samples/traderx/people-service'), 'score.yaml');
    const result = await paved(['score', 'render', '-f', file, '--env', 'dev', '--service', 'people-service', ...t], admin);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`apply the file first: paved apply -f ${file} --env dev --service people-service --team ${team}`);
    expect(result.stderr.split('apply the file first')).toHaveLength(2);
    // A one-problem error is printed once, not again as its issue.
    const oneProblem = join(dir, 'one-problem.yaml');
    writeFileSync(oneProblem, readFileSync(file, 'utf8').replace('score.dev/v1b1', 'score.dev/v1b2'));
    const plan = await paved(['plan', '-f', oneProblem, '--env', 'dev', ...t], admin);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(`error: ${oneProblem}:1:13: apiVersion: must be score.dev/v1b1 (got "score.dev/v1b2")\n`);
  });

  it('applies workloads in any order; one reaches another at its rendered address, and a third through the router', async () => {
    await requireFree(18089);
    await requireFree(9898);
    const account = join(project('score-spec-examples/samples/traderx/account-service'), 'score.yaml');
    const people = join(project('score-spec-examples/samples/traderx/people-service'), 'score.yaml');
    const podinfo = join(project('community-provisioners/dns'), 'score.yaml');
    // account-service first: people-service is not applied yet, its address is known already.
    const first = await paved(['apply', '-f', account, '--env', 'dev', '--wait', ...t], admin);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('note: people-service: workload people-service is not applied in dev yet: its port and url are filled in when it is');
    for (const file of [people, podinfo]) expect((await paved(['apply', '-f', file, '--env', 'dev', '--wait', ...t], admin)).code).toBe(0);
    const peopleRef = JSON.parse(await pavedOk(['get', 'account-service-people-service-dev', '-o', 'json', ...t], admin)) as { outputs: Record<string, string> };
    expect(peopleRef.outputs).toEqual({ name: '127.0.0.1', host: '127.0.0.1', port: '18089', url: 'http://127.0.0.1:18089' });
    const route = JSON.parse(await pavedOk(['get', 'my-workload-route-dev', '-o', 'json', ...t], admin)) as { outputs: Record<string, string> };
    const host = `my-workload.${team}.dev.localhost`;
    expect(route.outputs).toEqual({ host, path: '/', url: `http://${host}:${routerPort}/`, target: 'http://127.0.0.1:9898' });

    running.push(await startRun(['run', '-f', people, '--env', 'dev', ...t, '--', process.execPath, '-e', SERVER(18089, 'people-service', 'NOTHING')], admin, /listening on 18089/));
    const routed = await startRun(['run', '-f', podinfo, '--env', 'dev', ...t, '--', process.execPath, '-e', SERVER(9898, 'podinfo', 'PODINFO_UI_MESSAGE')], admin, /listening on 9898/);
    running.push(routed);
    expect(routed.output()).toContain(`paved: routes served on 127.0.0.1:${routerPort}: http://${host}:${routerPort}/`);

    const client = await paved(['run', '-f', account, '--env', 'dev', ...t, '--', process.execPath, '-e', CLIENT, route.outputs.url!], admin);
    expect(client.code, client.stderr).toBe(0);
    expect(client.stdout).toContain('direct: 200 people-service answered /people/42');
    expect(client.stdout).toContain(`routed: 200 podinfo answered /hello Hello, http://${host}:${routerPort}!`);
    // A host with no route is said so by the router, not passed anywhere.
    const unknown = await httpGet(routerPort, 'nobody.localhost', '/');
    expect(unknown).toMatchObject({ status: 404, body: expect.stringContaining('no route for nobody.localhost/') });

    for (const run of running.splice(0)) await run.stop();
    // The router went with the run that served it.
    await expect(httpGet(routerPort, host, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  }, 180_000);

  it('fills a service-port\'s port in once the workload it names is applied', async () => {
    const b = join(project('score-compose/examples/08-service-port-resource'), 'scoreB.yaml');
    const a = b.replace('scoreB.yaml', 'scoreA.yaml');
    const early = await paved(['apply', '-f', b, '--env', 'dev', '--wait', ...t], admin);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stderr).toContain('note: workload-b-dependency-dev waits for workload workload-a to be applied in dev (its service.ports give the port); not waited for');
    const waiting = await paved(['score', 'render', '-f', b, '--env', 'dev', ...t], admin);
    expect(waiting.code).toBe(2);
    expect(waiting.stderr).toContain('Waits for workload workload-a to be applied in dev');
    const applied = await paved(['apply', '-f', a, '--env', 'dev', ...t], admin);
    expect(applied.stdout).toContain('note: updated workload-b-dependency-dev: it reaches workload-a');
    // workload-a publishes web: 8080 → targetPort 80, which is where a process listens.
    expect(await pavedOk(['score', 'render', '-f', b, '--env', 'dev', ...t], admin)).toBe("DEPENDENCY_URL='http://127.0.0.1:80'\n");
  }, 60_000);

  it('runs with the environment\'s values and the service\'s config, writes files, and keeps volumes across runs', async () => {
    const envFile = join(project('score-compose/examples/02-environment'), 'score.yaml');
    const applied = await paved(['apply', '-f', envFile, '--env', 'dev', '--wait', ...t], admin);
    expect(applied.stdout).toContain(`note: env: NAME is not set in dev; set it with: paved config set hello-world NAME=VALUE --env dev`);
    await pavedOk(['config', 'set', 'hello-world', 'NAME=Bob', '--env', 'dev', ...t], admin);
    const vars = JSON.parse(await pavedOk(['score', 'render', '-f', envFile, '--env', 'dev', '--format', 'json', ...t], admin)) as Record<string, string>;
    expect(vars).toEqual({ GREETING: 'Hello', NAME: 'Bob', WORKLOAD_NAME: 'hello-world', ESCAPED: '$$_${fizzbuzz}' });

    const files = join(project('score-compose/examples/03-files'), 'score.yaml');
    await pavedOk(['apply', '-f', files, '--env', 'dev', '--service', 'files-demo', ...t], admin);
    const read = await paved(['run', '-f', files, '--env', 'dev', '--service', 'files-demo', ...t, '--', process.execPath, '-e', "const d=process.argv[1];for(const f of ['fileA.txt','fileB.txt','fileC.bin'])process.stdout.write(require('fs').readFileSync(d+'/'+f,'utf8'))", join(files, '..', '.paved/files/files-demo/dev/hello')], admin);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe(`${readFileSync(join(WILD, 'score-compose/examples/03-files/fileA.txt'), 'utf8')}I am hello-world\nhello world`);
    expect(read.stderr).toContain('paved: file /fileB.txt is ');

    const volume = join(project('score-compose/examples/05-volume-mounts'), 'score.yaml');
    await pavedOk(['apply', '-f', volume, '--env', 'dev', '--service', 'volume-demo', ...t], admin);
    const data = join(volume, '..', '.paved/volumes/volume-demo-data-dev');
    const write = await paved(['run', '-f', volume, '--env', 'dev', '--service', 'volume-demo', ...t, '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(join(data, 'kept'))}, 'from the first run')`], admin);
    expect(write.code, write.stderr).toBe(0);
    const again = await paved(['run', '-f', volume, '--env', 'dev', '--service', 'volume-demo', ...t, '--', process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(join(data, 'kept'))}, 'utf8'))`], admin);
    expect(again.stdout).toBe('from the first run');
  }, 90_000);

  it('refuses a type no product serves with the next step, until a platform team maps it; then the file applies unchanged', async () => {
    const file = join(project('score-compose/examples/11-mongodb-document-database'), 'score.yaml');
    const before = await paved(['plan', '-f', file, '--env', 'dev', ...t], admin);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/score\.yaml:14:11: resources\.db\.type: no product serves Score type "mongodb" here/);
    expect(before.stderr).toContain('type mongodb needs a product: a platform team maps each to a product of its own by listing it in that product\'s spec.score.types (e.g. spec.score.types: [mongodb])');
    expect(before.stderr).not.toContain('CONNECT_1');

    await pavedOk(['apply', '-f', join(MONGO_EXAMPLE, 'mongodb.yaml')], admin);
    const applied = await paved(['apply', '-f', file, '--env', 'dev', '--wait', ...t], admin);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/\+\s+create\s+db\s+hello-world-db-dev\s+document-db/);
    const connect = (await pavedOk(['score', 'render', '-f', file, '--env', 'dev', '--format', 'json', ...t], admin));
    expect(JSON.parse(connect).CONNECT_1).toMatch(/^mongodb:\/\/pv_run_[0-9a-f]{6}_hello_world_db_dev_[0-9a-f]{8}:[0-9a-f]{48}@mongodb\.internal\.example:27017\//);
    expect(readdirSync(inventory)).toHaveLength(1);
    expect(existsSync(inventory)).toBe(true);
  }, 90_000);
});
