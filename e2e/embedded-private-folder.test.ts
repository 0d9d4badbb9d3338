/**
 * Regression: a clone in a folder only root may enter (`mktemp -d` makes 0700 folders, and
 * /root is 0700), run as root. PostgreSQL refuses to run as root, so its processes run as the
 * postgres account, which could not reach the binaries inside that clone's node_modules:
 * `paved up` died of an unhandled 'error' event (spawn initdb EACCES) with a stack trace.
 * Here the built repository is copied (hard links, so no extra space) into a fresh 0700
 * folder with its data folder beside it, and run from there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, pavedOk, removeSharedCluster, startEmbeddedPaved } from './harness.js';

const skip = userInfo().uid === 0 ? undefined : 'runs as root only: the bug is root\'s (PostgreSQL then runs as the postgres account)';
if (skip) console.warn(`skipping the embedded PostgreSQL private-folder tests: ${skip}`);

describe.skipIf(skip)('embedded PostgreSQL from a folder only root may enter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-private-'));
  const clone = join(dir, 'paved');
  const cli = join(clone, 'packages/cli/dist/main.js');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };

  beforeAll(() => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const repo = fileURLToPath(new URL('..', import.meta.url));
    mkdirSync(clone);
    execFileSync('cp', ['-al', ...readdirSync(repo).filter((entry) => entry !== '.git').map((entry) => join(repo, entry)), clone]);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('paved up runs it, says where its cluster is and why, and provisions a password-protected database', async () => {
    const { server, cleanup } = await startEmbeddedPaved(dir, admin, { cli });
    try {
      expect(server.output()).toMatch(new RegExp(
        `the embedded PostgreSQL cluster is in /var/lib/paved/embedded-postgres/[0-9a-f]{12}, not in the data folder: ` +
          `PostgreSQL runs as the postgres account, which cannot enter ${dir}\\n`,
      ));
      await pavedOk(['teams', 'create', 'private'], admin);
      await pavedOk(['create', 'postgres', 'db', '--team', 'private', '--wait'], admin);
      const env = JSON.parse(await pavedOk(['env', 'db', '--team', 'private', '--format', 'json', '--no-prefix'], admin)) as Record<string, string>;
      const client = new pg.Client({ connectionString: env.URL, connectionTimeoutMillis: 5000 });
      await client.connect();
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(env.USERNAME);
      await client.end();
      await expect(new pg.Client({ connectionString: env.URL!.replace(env.PASSWORD!, 'wrong'), connectionTimeoutMillis: 5000 }).connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await cleanup();
    }
  }, 180_000);

  it('when it cannot start (its port is taken), paved up stops with one line saying why and what to do', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    const dataDir = join(dir, 'port-taken');
    try {
      const env = { ...process.env, NO_COLOR: '1', PAVED_CLI_CONFIG: join(dir, 'port-taken.json'), PAVED_DATA_DIR: dataDir, PAVED_PORT: String(await freePort()), PAVED_EMBEDDED_POSTGRES_PORT: String(port) };
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [cli, 'up'], { env }, (error, _stdout, stderr) => resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stderr }));
      });
      expect(result.code).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(new RegExp(`^error: the embedded PostgreSQL server did not start on port ${port} .*PAVED_EMBEDDED_POSTGRES_PORT.*PAVED_POSTGRES_URL.*PAVED_EMBEDDED_POSTGRES=off$`));
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
      removeSharedCluster(dataDir);
    }
  }, 120_000);
});
