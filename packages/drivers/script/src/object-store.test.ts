/**
 * The example product's real script (examples/script-product/provision.mjs) through the driver:
 * the shared conformance suite, the contract checks on a good and a tampered bucket, and the
 * permanent-failure path. Buckets live in a temp root folder removed afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDriverConformance } from '@paved/driver-api/conformance';
import type { Driver, Target } from '@paved/driver-api';
import { DriverError, parseProductManifestsFromText, secretOutputNames } from '@paved/model';
import { createScriptDriver } from './index.js';
import { context, EXAMPLE_DIR, EXAMPLE_SCRIPT, scriptTarget, tempFolder, thrown } from './test-support.js';

const root = tempFolder('buckets');
afterAll(() => root.cleanup());
const CHECKS = ['connect', 'write-read', 'isolation'];
const target = (): Target => ({ ...scriptTarget(EXAMPLE_SCRIPT, { timeout: '30s', checks: CHECKS, root: root.dir }), name: 'local-buckets', labels: { kind: 'local-files' } });
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** What an application does with the outputs: present the key, then write and read an object. */
async function useBucket(outputs: Record<string, string>): Promise<void> {
  const key = readFileSync(join(outputs.path!, '.paved-access-key'), 'utf8').trim();
  if (key !== sha256(outputs.password ?? '')) throw new Error(`access key refused for ${outputs.name}`);
  const object = join(outputs.path!, 'hello.txt');
  writeFileSync(object, 'paving stones');
  expect(readFileSync(object, 'utf8')).toBe('paving stones');
}

function runCheck(driver: Driver, name: string, outputs: Record<string, string>) {
  const check = driver.checks!.find((c) => c.name === name)!;
  return check.run({ target: target(), instance: context(target()).instance, outputs, signal: new AbortController().signal });
}

runDriverConformance({
  name: 'script (examples/script-product/provision.mjs)',
  createDriver: () => createScriptDriver(),
  target,
  outputs: ['name', 'path', 'username', 'password'],
  values: { quotaMb: 10, maxQuotaMb: 100 },
  update: { values: { quotaMb: 20 } },
  useCredentials: (outputs) => useBucket(outputs),
  // Team B's key presented for team A's bucket: the connect check must refuse it.
  crossAccess: (victim, intruder, { driver }) => runCheck(driver, 'connect', { ...victim, password: intruder.password! }),
  inventory: async (externalName) => readdirSync(root.dir).filter((entry) => entry === externalName).map((entry) => `bucket ${entry}`),
  assertGone: async (externalName) => {
    if (existsSync(join(root.dir, externalName))) throw new Error(`bucket folder ${externalName} is still there`);
  },
});

describe('object-store example: contract checks and failures', () => {
  const driver = createScriptDriver();
  const made: string[] = [];
  afterAll(async () => {
    for (const name of made) rmSync(join(root.dir, name), { recursive: true, force: true });
    await driver.close?.();
  });

  it('passes every check on a good bucket and fails each, with its reason, once tampered with', async () => {
    const ctx = context(target(), { values: { quotaMb: 10, maxQuotaMb: 100 } });
    made.push(ctx.instance.externalName);
    const { outputs } = await driver.create(ctx);
    expect(statSync(outputs.path!).mode & 0o777).toBe(0o700);
    expect(statSync(join(outputs.path!, '.paved-access-key')).mode & 0o777).toBe(0o600);
    // The key file holds a hash, never the key.
    expect(readFileSync(join(outputs.path!, '.paved-access-key'), 'utf8')).not.toContain(outputs.password);
    for (const name of CHECKS) await runCheck(driver, name, outputs);
    // write-read cleans up after itself.
    expect(readdirSync(outputs.path!).filter((f) => f.startsWith('.paved-check-'))).toEqual([]);

    // Someone opens the folder to every user behind Paved's back.
    chmodSync(outputs.path!, 0o755);
    await expect(runCheck(driver, 'isolation', outputs)).rejects.toThrow(`check "isolation" did not hold: script check exited with code 1: object-store: bucket ${outputs.name} is readable by other users of the machine`);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: false, diff: ['bucket directory is open to other users'] });

    // Someone replaces the access key behind Paved's back: the issued key stops working.
    writeFileSync(join(outputs.path!, '.paved-access-key'), `${sha256('someone-else')}\n`);
    const error = await thrown(() => runCheck(driver, 'connect', outputs));
    expect(error.message).toBe(`check "connect" did not hold: script check exited with code 1: object-store: access key refused for bucket ${outputs.name}`);
    expect(error.message).not.toContain(outputs.password);

    // Drift repair: update puts both back.
    await driver.update(ctx);
    for (const name of CHECKS) await runCheck(driver, name, outputs);
  });

  it('turns a request the store cannot serve into a permanent error with the script\'s reason', async () => {
    const ctx = context(target(), { values: { quotaMb: 5000, maxQuotaMb: 1000 } });
    made.push(ctx.instance.externalName);
    const error = await thrown(() => driver.create(ctx));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('script create exited with code 2: object-store: quota 5000 MB is more than plan "small" allows (maxQuotaMb 1000)');
    expect(existsSync(join(root.dir, ctx.instance.externalName))).toBe(false);
  });

  it('ships a product manifest that parses, with the key secret', () => {
    const [manifest] = parseProductManifestsFromText(readFileSync(join(EXAMPLE_DIR, 'object-store.yaml'), 'utf8'), 'object-store.yaml');
    expect(manifest!.spec.driver).toBe('script');
    expect(manifest!.spec.checks).toEqual(CHECKS);
    expect(secretOutputNames(manifest!)).toEqual(['password']);
    expect(readFileSync(join(EXAMPLE_DIR, 'object-store.md'), 'utf8')).toContain('# ');
  });
});
