// Shared pieces of the benchmarks: start a real `paved up` process, statistics, output.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
export const MACHINE_PG = process.env.PAVED_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `paved up` on a fresh data folder; returns { url, token, stop }. */
export async function startPaved(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'paved-bench-'));
  const port = await freePort();
  const cliConfig = join(dir, 'cli.json');
  const child = spawn(process.execPath, [CLI, 'up'], {
    env: { ...process.env, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_CLI_CONFIG: cliConfig, PAVED_LOG_LEVEL: 'warn', NO_COLOR: '1', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const token = JSON.parse(readFileSync(cliConfig, 'utf8')).token;
  return {
    url,
    token,
    dir,
    stop: () => new Promise((resolve) => { child.on('exit', resolve); child.kill('SIGTERM'); }),
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (n, digits = 2) => Number(n.toFixed(digits));
