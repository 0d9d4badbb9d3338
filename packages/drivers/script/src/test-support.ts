/**
 * Helpers shared by this driver's tests (excluded from the build). Scripts are real files run
 * as real processes; nothing is mocked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type DriverContext, type Target } from '@paved/driver-api';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../../../examples/script-product/', import.meta.url));
export const EXAMPLE_SCRIPT = join(EXAMPLE_DIR, 'provision.mjs');

/** A temp folder removed by `cleanup()`. */
export function tempFolder(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `paved-script-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an executable POSIX sh script into `dir` and returns its path. */
export function writeScript(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

export function scriptTarget(executable: string, config: Record<string, unknown> = {}): Target {
  return { name: 'test-script', driver: 'script', labels: { kind: 'test' }, config: { executable, ...config } };
}

export function newExternalName(): string {
  return `pv_script_${randomBytes(5).toString('hex')}`;
}

export function context(target: Target, overrides: Partial<Omit<DriverContext, 'instance'>> & { externalName?: string; values?: Record<string, unknown> } = {}): DriverContext {
  const externalName = overrides.externalName ?? newExternalName();
  return {
    instance: {
      id: randomUUID(),
      team: 'team-a',
      name: externalName.replace(/_/g, '-'),
      externalName,
      product: 'object-store',
      plan: 'small',
      values: overrides.values ?? {},
    },
    target,
    secrets: overrides.secrets ?? { password: randomBytes(24).toString('hex') },
    signal: overrides.signal ?? new AbortController().signal,
    logger: silentLogger,
  };
}

/** Whether `pid` is a live process (a zombie waiting for its parent to reap it counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<Error & { retryable?: boolean; code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { retryable?: boolean; code?: string };
  }
  throw new Error('expected a failure, but the call succeeded');
}

export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
