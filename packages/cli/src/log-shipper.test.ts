import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ShippedLogLine } from '@paved/model';
import { shipChildOutput, type LogShipTarget } from './log-shipper.js';
import { secretMask } from './secret-mask.js';

/** A target that records what it is sent and shown; `fail` makes sends reject. */
function recorder(options: { fail?: () => boolean; delayMs?: number } = {}) {
  const batches: ShippedLogLine[][] = [];
  const shown = { stdout: '', stderr: '' };
  const warnings: string[] = [];
  const target: LogShipTarget = {
    async send(lines) {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.fail?.()) throw new Error('connection refused');
      batches.push(lines);
    },
    stdout: { write: (chunk) => (shown.stdout += String(chunk)) },
    stderr: { write: (chunk) => (shown.stderr += String(chunk)) },
    warn: (message) => warnings.push(message),
  };
  return { target, batches, shown, warnings, lines: () => batches.flat() };
}

/** Runs `node -e script` with piped output through the shipper; resolves to the exit code once everything is shipped. */
function run(script: string, target: LogShipTarget, options: Parameters<typeof shipChildOutput>[2] = {}): Promise<number> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { done } = shipChildOutput(child, target, options);
  return new Promise((resolve) => child.on('exit', (code) => void done.then(() => resolve(code ?? -1))));
}

describe('shipChildOutput', () => {
  it('passes output through unchanged, ships every line in order per stream, and keeps the exit code', async () => {
    const r = recorder();
    const script = `
      for (let i = 0; i < 300; i++) { console.log('out ' + i); if (i % 3 === 0) console.error('err ' + i); }
      process.stdout.write('no newline at the end');
      process.exitCode = 7;`;
    const code = await run(script, r.target, { batchLines: 50 });
    expect(code).toBe(7);

    const expectedOut = Array.from({ length: 300 }, (_, i) => `out ${i}`);
    const expectedErr = Array.from({ length: 100 }, (_, i) => `err ${i * 3}`);
    expect(r.shown.stdout).toBe(expectedOut.join('\n') + '\nno newline at the end');
    expect(r.shown.stderr).toBe(expectedErr.join('\n') + '\n');
    const lines = r.lines();
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual([...expectedOut, 'no newline at the end']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(expectedErr);
    expect(r.batches.every((b) => b.length <= 50)).toBe(true);
    expect(lines.every((l) => !Number.isNaN(Date.parse(l.at!)))).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('keeps the command running and its exit code when the server refuses, with one warning, and retries', async () => {
    let failures = 2;
    const r = recorder({ fail: () => failures-- > 0 });
    const code = await run(`console.log('a'); setTimeout(() => { console.error('b'); process.exit(3); }, 300);`, r.target, { flushMs: 50 });
    expect(code).toBe(3);
    expect(r.lines().map((l) => l.line)).toEqual(['a', 'b']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('could not ship logs (connection refused)');
  });

  it('drops the oldest lines past its buffer, and gives up at exit rather than hang', async () => {
    const r = recorder({ fail: () => true });
    const started = Date.now();
    const code = await run(`for (let i = 0; i < 100; i++) console.log('line ' + i);`, r.target, { maxBufferedLines: 10, batchLines: 1000, finalFlushMs: 300, flushMs: 50 });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.shown.stdout.split('\n')).toHaveLength(101); // the terminal still saw every line
    expect(r.warnings.some((w) => w.includes('dropping the oldest'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('gave up shipping 10 log lines'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('90 log lines were dropped'))).toBe(true);
  });

  it('masks secrets in shipped lines whatever the chunk boundaries, and passes the output through as written', async () => {
    const secret = 'Sup3r-S3cret-Value';
    const r = recorder();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const { done } = shipChildOutput({ stdout, stderr } as unknown as ChildProcess, { ...r.target, secrets: secretMask([secret, 'line one\nline two']) });
    // Chunks cut inside the secret, and a 16 KiB line whose cut would fall inside it.
    for (const chunk of ['a Sup3r-', 'S3cret-Va', 'lue b\n', 'x'.repeat(16 * 1024 - 4), 'Sup3r-S3c', 'ret-Value tail\n', 'line one\r\nline two\n']) {
      stdout.write(chunk);
      // Each chunk is read before the next is written (event-loop order, not a timer).
      await new Promise((resolve) => setImmediate(resolve));
    }
    stdout.end();
    stderr.end();
    await done;
    const lines = r.lines().map((l) => l.line);
    expect(lines[0]).toBe('a *** b');
    expect(lines[1]).toBe('x'.repeat(16 * 1024 - 4));
    expect(lines[2]).toBe('*** tail');
    expect(lines.slice(3)).toEqual(['***', '***']);
    expect(r.shown.stdout).toContain(`a ${secret} b`);
  });
});
