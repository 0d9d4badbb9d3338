/**
 * The embedded PostgreSQL server runs in a process group of its own, so that a terminal's Ctrl-C
 * (SIGINT to the foreground process group) reaches Paved alone, which closes the drivers'
 * admin connections before it stops the server. In the terminal's group the server shut down at
 * the same moment, and every idle admin connection was logged as lost on the way out.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startPaved } from '../start-paved.js';
import { sharedClusterDir } from './cluster-place.js';

/** The process group of `pid` (field 5 of /proc/PID/stat, after the command's closing parenthesis). */
const processGroupOf = (pid: number | 'self') => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);

/** The pid of the postgres listening on `port` (its command line names the port), if any. */
function postgresOn(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('/postgres') && args.includes('-p') && args[args.indexOf('-p') + 1] === String(port)) return Number(entry);
    } catch { /* gone since */ }
  }
  return undefined;
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  }).on('error', reject);
});

describe.skipIf(process.platform !== 'linux')('the embedded PostgreSQL server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-embedded-group-'));
  // As root the cluster lives outside the data folder (cluster-place.ts): removed too.
  afterAll(() => [dir, sharedClusterDir(dir)].forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  it("runs in a process group of its own, not the terminal's, and stops with Paved", async () => {
    const port = await freePort();
    const config = loadConfig({
      PAVED_DATA_DIR: dir, PAVED_PORT: String(await freePort()), PAVED_EMBEDDED_POSTGRES_PORT: String(port), PAVED_LOG_LEVEL: 'silent',
    });
    const paved = await startPaved(config);
    let pid: number | undefined;
    try {
      pid = postgresOn(port);
      expect(pid, `a postgres on port ${port}`).toBeDefined();
      expect(processGroupOf(pid!)).toBe(pid);
      expect(processGroupOf(pid!)).not.toBe(processGroupOf('self'));
    } finally {
      await paved.stop();
    }
    expect(postgresOn(port)).toBeUndefined();
  }, 120_000);
});
