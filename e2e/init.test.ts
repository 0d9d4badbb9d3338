/**
 * The golden path end to end, as a new team member lives it: an admin creates a team and adds
 * a member (nothing else: the templates ship with Paved); the member runs `paved init shop
 * --apply` and gets a folder, a service in the catalog and a Ready dev database; then runs the
 * generated app with `paved run -f score.yaml --env dev -- node server.js` and it answers GET /
 * with database "ok". Built CLI and server, machine PostgreSQL as the target.
 *
 * The generated package.json depends on `pg`; instead of `npm install` (network), the test links
 * the folder's node_modules to this repository's, which holds that same package
 * (docs/golden-paths.md says why).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI, dropWithPrefix, freePort, pavedOk, resourcesWithPrefix, signUpMember, startPavedIfMachinePostgres, tempDir, waitFor,
  type CliResult, type ServerProcess,
} from './harness.js';

const suffix = Math.random().toString(16).slice(2, 8);
const REPO_NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

/** `paved ARGS` run in `cwd` (init writes ./NAME; run reads ./score.yaml), as a person in a shell would. */
function spawnPaved(args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
  return Object.assign(child, { result });
}

async function pavedIn(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const res = await spawnPaved(args, env, cwd).result;
  if (res.code !== 0) throw new Error(`paved ${args.join(' ')} exited ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  return res.stdout;
}

const itemsOf = <T>(json: unknown): T[] => (Array.isArray(json) ? json : (json as { items: T[] }).items);

describe('paved init: from nothing to a running service with a database', () => {
  let available = false;
  let server: ServerProcess | undefined;
  const dir = tempDir('e2e-init');
  const work = tempDir('e2e-init-work');
  const team = `web-${suffix}`;
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const newbie = { PAVED_CLI_CONFIG: join(dir, 'newbie.json') };
  const prefix = `pv_${team.replace(/-/g, '_')}_`;

  beforeAll(async () => {
    server = await startPavedIfMachinePostgres(dir, admin);
    available = server !== undefined;
  }, 120_000);

  afterAll(async () => {
    if (available && server) {
      // Delete what the workload created, as the member would, then check nothing is left.
      const list = await spawnPaved(['list', '-o', 'json'], newbie, work).result;
      for (const instance of list.code === 0 ? itemsOf<{ name: string }>(JSON.parse(list.stdout)) : []) {
        await spawnPaved(['delete', instance.name, '--wait', '--timeout', '60s'], newbie, work).result;
      }
    }
    await server?.stop();
    if (available) await dropWithPrefix(prefix);
  }, 120_000);

  it('a new team member runs `paved init shop --apply` and the generated app reaches its database', async (ctx) => {
    if (!available) return ctx.skip();
    // The only platform action: a team and a member. Templates ship with Paved.
    await pavedOk(['teams', 'create', team], admin);
    await signUpMember({ admin, team, user: `newbie-${suffix}`, url: server!.url, env: newbie });

    // One command.
    const appPort = await freePort();
    const init = await spawnPaved(['init', 'shop', '--apply', '--port', String(appPort)], newbie, work).result;
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('paved run -f score.yaml --env dev -- npm start');

    // The folder, from the node-postgres template.
    const shop = join(work, 'shop');
    for (const file of ['score.yaml', 'server.js', 'package.json', 'README.md']) expect(existsSync(join(shop, file)), file).toBe(true);
    expect(readFileSync(join(shop, 'score.yaml'), 'utf8')).toContain('type: postgres');
    expect(readFileSync(join(shop, 'score.yaml'), 'utf8')).not.toContain('{{');

    // In the catalog.
    const services = itemsOf<{ name: string; lifecycle: string }>(JSON.parse(await pavedIn(work, ['services', '-o', 'json'], newbie)));
    expect(services).toContainEqual(expect.objectContaining({ name: 'shop', lifecycle: 'experimental' }));

    // The dev database is Ready, and real on the server.
    const instances = itemsOf<{ name: string; product: string; status: { phase: string } }>(JSON.parse(await pavedIn(work, ['list', '-o', 'json'], newbie)));
    const db = instances.find((instance) => instance.product === 'postgres');
    expect(db?.status.phase).toBe('Ready');
    expect((await resourcesWithPrefix(prefix)).databases).toHaveLength(1);

    // Run the generated app unchanged, with its credentials from `paved run`.
    symlinkSync(REPO_NODE_MODULES, join(shop, 'node_modules'), 'dir');
    const app = spawnPaved(['run', '-f', 'score.yaml', '--env', 'dev', '--', process.execPath, 'server.js'], newbie, shop);
    try {
      const body = await waitFor('the app to answer', async () => {
        const res = await fetch(`http://127.0.0.1:${appPort}/`).catch(() => undefined);
        return res ? { status: res.status, json: await res.json() as Record<string, unknown> } : undefined;
      }, 30_000);
      expect(body.status).toBe(200);
      expect(body.json).toMatchObject({ service: 'shop', database: 'ok' });
    } finally {
      app.kill('SIGTERM');
      const ended = await app.result;
      // Whatever it printed, no credential leaked into the output.
      expect(ended.stdout + ended.stderr).not.toMatch(/postgres(ql)?:\/\/[^@\s]+:[^@\s]+@/);
    }
  }, 180_000);
});
