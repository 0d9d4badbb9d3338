/**
 * Drives the real, built `paved` CLI and server as a user would: separate processes, a fresh
 * data folder and CLI config per test, real PostgreSQL. Nothing here reaches into the code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Instance } from '@paved/model';

export const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
export const MACHINE_PG = process.env.PAVED_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * The settings that give a Paved under test the machine's PostgreSQL as its target. The
 * machine's server is shared with every other test: the driver must not take CONNECT on
 * `postgres` and `template1` away from PUBLIC there (its default), or roles other tests create
 * can no longer log in.
 */
export const MACHINE_PG_TARGET = Object.freeze({ PAVED_POSTGRES_URL: MACHINE_PG, PAVED_POSTGRES_CLOSE_SERVER_DATABASES: 'false' });

/**
 * The environment of a `paved up` that crash tests kill and start again: its data folder in
 * `dir`, a free port, the machine's PostgreSQL as its postgres target, and a 2 s lease so that
 * the killed worker's claims lapse before the restarted one takes the work over.
 */
export async function crashableUpEnv(dir: string, admin: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  return { ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(await freePort()), ...MACHINE_PG_TARGET, PAVED_LOG_LEVEL: 'warn', PAVED_LEASE: '2s' };
}

/** Folders tempDir made for this test file: removed after its last hook (see below). */
const tempDirs = new Set<string>();
// Registered when a test file imports this module, before the file's own hooks, so it runs after
// them (vitest runs after-hooks in reverse order): once the file's servers have stopped.
afterAll(removeTempDirs);

/**
 * A fresh folder under the system's temporary directory (readable by the instances' own users),
 * removed when the test file is done. A full run used to leave about 35 of them behind.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `paved-${prefix}-`));
  chmodSync(dir, 0o755);
  tempDirs.add(dir);
  return dir;
}

function removeTempDirs(): void {
  // Best effort, at exit: a folder a stray child still writes into is left rather than failing the file.
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // left behind, as before
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `paved ARGS` with the given environment; never throws on a non-zero exit. */
export function paved(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Like `paved` but fails the test with the CLI's output when the exit code is not 0. */
export async function pavedOk(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await paved(args, env);
  if (result.code !== 0) {
    throw new Error(`paved ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result.stdout;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code/signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** What `paved up` (stdout) and `paved server` (stderr) print once they serve: the signal that a start is done. */
const STARTED = /Paved is listening on |Paved (?:all|api|worker) process started/;

/**
 * Starts `paved ARGS` (up or server) and resolves when it says it has started (for `up` and
 * the API roles: listening, with the store ready); fails if it exits first or has not started
 * within `timeoutMs` (a bound on a hang, generous for a loaded machine).
 */
export async function startServer(args: string[], env: NodeJS.ProcessEnv, options: { port?: number; timeoutMs?: number; cli?: string } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const url = options.port ? `http://127.0.0.1:${options.port}` : '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`paved ${args.join(' ')} was not ready in time:\n${output}`));
    }, options.timeoutMs ?? 120_000);
    const onOutput = (chunk: Buffer) => {
      output += chunk;
      if (!STARTED.test(output)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`paved ${args.join(' ')} exited before it was ready:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    exited,
    async stop() {
      if (!done) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * As root, a data folder the postgres account cannot enter keeps its embedded cluster in a
 * fixed place (packages/platform/src/embedded-postgres/cluster-place.ts): removes it.
 */
export function removeSharedCluster(dataDir: string): void {
  if (userInfo().uid !== 0) return;
  rmSync(join('/var/lib/paved/embedded-postgres', createHash('sha256').update(dataDir).digest('hex').slice(0, 12)), { recursive: true, force: true });
}

/**
 * `paved up` on `dir`/data with nothing configured, so it starts its own embedded PostgreSQL;
 * `admin` is the CLI environment `paved up` signs the admin into; `cli` another copy of the
 * CLI to run. Returns the server's environment too (`env`, for commands run beside it, such as
 * `paved backup`). `cleanup()` stops the server and removes the embedded cluster (also done here
 * if the start fails).
 */
export async function startEmbeddedPaved(dir: string, admin: NodeJS.ProcessEnv, options: { cli?: string } = {}): Promise<{ server: ServerProcess; env: NodeJS.ProcessEnv; cleanup(): Promise<void> }> {
  const dataDir = join(dir, 'data');
  const removeCluster = () => removeSharedCluster(dataDir);
  const port = await freePort();
  let server: ServerProcess;
  const env = { ...admin, PAVED_DATA_DIR: dataDir, PAVED_PORT: String(port), PAVED_EMBEDDED_POSTGRES_PORT: String(await freePort()), PAVED_LOG_LEVEL: 'warn' };
  try {
    server = await startServer(['up'], env, { port, timeoutMs: 120_000, ...options });
  } catch (error) {
    removeCluster();
    throw error;
  }
  return {
    server,
    env,
    async cleanup() {
      await server.stop();
      removeCluster();
    },
  };
}

/**
 * `paved up` on `dir`/data with the machine's PostgreSQL as its target; `admin` is the CLI
 * environment `paved up` signs the admin into, `extraEnv` any further settings (a store URL).
 */
export async function startPavedOnMachinePostgres(dir: string, admin: NodeJS.ProcessEnv, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const port = await freePort();
  return startServer(['up'], {
    ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), ...MACHINE_PG_TARGET, PAVED_LOG_LEVEL: 'warn', ...extraEnv,
  }, { port });
}

/**
 * `startPavedOnMachinePostgres` when the machine's PostgreSQL is reachable; otherwise undefined
 * (after `requireMachinePostgres` has failed the run under CI or said why the test is skipped).
 */
export async function startPavedIfMachinePostgres(dir: string, admin: NodeJS.ProcessEnv): Promise<ServerProcess | undefined> {
  if (!(await requireMachinePostgres())) return undefined;
  return startPavedOnMachinePostgres(dir, admin);
}

/**
 * The admin creates `user`, adds them to `team` (which must exist) as a member, and the user
 * logs in to `url` with their token. Returns the member's CLI environment (`env` if given,
 * otherwise a config file named after the user next to the admin's) and API token.
 */
export async function signUpMember(options: { admin: NodeJS.ProcessEnv; team: string; user: string; url: string; env?: NodeJS.ProcessEnv }): Promise<{ env: NodeJS.ProcessEnv; token: string }> {
  const { admin, team, user, url } = options;
  const env = options.env ?? { PAVED_CLI_CONFIG: join(dirname(admin.PAVED_CLI_CONFIG!), `${user}.json`) };
  const created = JSON.parse(await pavedOk(['users', 'create', user, '-o', 'json'], admin)) as { token: string };
  await pavedOk(['teams', 'add-member', team, user, '--role', 'member'], admin);
  await pavedOk(['login', '--url', url, '--token', created.token], env);
  return { env, token: created.token };
}

/** A fresh database on the machine's PostgreSQL for a store, dropped by `drop()`. */
export async function tempDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `paved_${prefix}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: MACHINE_PG });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(MACHINE_PG);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: MACHINE_PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Databases and roles on the machine's PostgreSQL whose names start with `prefix`. */
export async function resourcesWithPrefix(prefix: string): Promise<{ databases: string[]; roles: string[] }> {
  const c = new pg.Client({ connectionString: MACHINE_PG });
  await c.connect();
  try {
    const like = prefix.replace(/[\\_%]/g, (ch) => `\\${ch}`) + '%';
    const databases = await c.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [like]);
    const roles = await c.query<{ name: string }>('SELECT rolname AS name FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1', [like]);
    return { databases: databases.rows.map((r) => r.name), roles: roles.rows.map((r) => r.name) };
  } finally {
    await c.end();
  }
}

/** Drops everything named with `prefix` (cleanup after a failed test). */
export async function dropWithPrefix(prefix: string): Promise<void> {
  const { databases, roles } = await resourcesWithPrefix(prefix);
  const c = new pg.Client({ connectionString: MACHINE_PG });
  await c.connect();
  try {
    for (const db of databases) await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    for (const role of roles) await c.query(`DROP ROLE IF EXISTS "${role}"`);
  } finally {
    await c.end();
  }
}

export async function machinePostgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: MACHINE_PG, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Under CI a missing service fails the run; elsewhere the test is skipped with one line saying why. */
export async function requireMachinePostgres(): Promise<boolean> {
  if (await machinePostgresAvailable()) return true;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is not reachable at ${MACHINE_PG} (CI=true: failing)`);
  console.warn(`skipping: PostgreSQL is not reachable at ${MACHINE_PG} (start it: scripts/ensure-services.sh)`);
  return false;
}

/**
 * Follows an instance's watch stream (server-sent events) as `env`'s CLI user (its config file
 * names the server and token) until its status satisfies `until`, or, with 'deleted', until it
 * is gone: the event that proves it, instead of polling. Resolves with the last status (none
 * when deleted); fails after `timeoutMs`, a bound on a hang, or when the stream ends otherwise.
 */
export async function watchInstance(env: NodeJS.ProcessEnv, team: string, name: string, until: ((instance: Instance) => boolean) | 'deleted', timeoutMs = 60_000): Promise<Instance | undefined> {
  const { url, token } = JSON.parse(readFileSync(env.PAVED_CLI_CONFIG!, 'utf8')) as { url: string; token: string };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${name} did not become ${until === 'deleted' ? 'deleted' : 'what the test waits for'} within ${timeoutMs} ms`)), timeoutMs);
  let last: Instance | undefined;
  try {
    const response = await fetch(`${url}/api/v1/teams/${team}/instances/${name}/watch`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
    if (response.status === 404 && until === 'deleted') return undefined;
    if (!response.ok || !response.body) throw new Error(`watch ${team}/${name}: HTTP ${response.status} ${await response.text()}`);
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n')) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        if (event === 'deleted' && until === 'deleted') return undefined;
        if (event !== 'status') continue;
        last = JSON.parse(block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n')) as Instance;
        if (until !== 'deleted' && until(last)) return last;
      }
    }
    throw new Error(`the watch of ${team}/${name} ended first; last status: ${JSON.stringify(last?.status)}`);
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The HTTP API as a token holder calls it: `call` throws on a non-2xx answer; `listAll` follows every page. */
export function apiAs(token: string) {
  const call = async (base: string, method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const listAll = async (base: string, path: string): Promise<any[]> => {
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(base, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  return { call, listAll };
}
