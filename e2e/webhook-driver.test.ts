/**
 * The webhook driver end to end: a real `paved up` whose targets file points at an automation
 * started in this process (packages/drivers/webhook/src/test-automation.ts). The automation
 * answers 202 and, after a short delay, POSTs a signed callback to the real Paved URL; the
 * instance reaches Ready through that callback, and deletion goes the same way. A callback with
 * a bad signature is refused with 401.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, paved, pavedOk, startServer, tempDir, type ServerProcess } from './harness.js';
import { startAutomation, type Automation } from '../packages/drivers/webhook/src/test-automation.js';
import { signatureHeader } from '../packages/drivers/webhook/src/signature.js';

const PRODUCT = fileURLToPath(new URL('../examples/webhook-product/bucket.yaml', import.meta.url));
const suffix = randomBytes(3).toString('hex');

describe('webhook driver through the real server', () => {
  const dir = tempDir('e2e-webhook');
  const secret = randomBytes(32).toString('hex');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const team = `storage-${suffix}`;
  let automation: Automation;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    automation = await startAutomation({ secret, mode: 'async', delayMs: 300 });
    const port = await freePort();
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, [
      'apiVersion: paved.dev/v1alpha1',
      'kind: Target',
      'metadata: { name: storage-automation, labels: { automation: storage } }',
      'spec:',
      '  driver: webhook',
      '  config:',
      `    url: ${automation.url}`,
      `    secret: ${secret}`,
      '    timeout: 5s',
      `    callbackBaseUrl: http://127.0.0.1:${port}`,
      '',
    ].join('\n'), { mode: 0o600 });
    server = await startServer(['up'], {
      ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_TARGETS_FILE: targets,
      PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn',
    }, { port });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await automation?.idle();
    await automation?.close();
  });

  it('creates an instance through an asynchronous automation and its signed callback, then deletes it', async () => {
    await pavedOk(['apply', '-f', PRODUCT], admin);
    await pavedOk(['teams', 'create', team], admin);

    const created = await paved(['create', 'bucket', 'assets', '--team', team, '--wait', '--timeout', '60s'], admin);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const got = JSON.parse(await pavedOk(['get', 'assets', '--team', team, '-o', 'json'], admin));
    expect(got.status.phase).toBe('Ready');
    const externalName: string = got.externalName;
    expect(automation.resources.has(externalName)).toBe(true);
    // Ready came through the callback: the automation answered 202 first and called back once.
    const creates = automation.requests.filter((r) => r.verb === 'create' && r.body.instance.externalName === externalName);
    expect(creates.length).toBeGreaterThan(0);
    expect(automation.callbacks.filter((c) => c.body.verb === 'create')).toEqual([
      expect.objectContaining({ status: 202, url: `${server!.url}/api/v1/callbacks/webhook/${got.id}` }),
    ]);
    // The password the automation set is the one Paved hands out.
    const env = JSON.parse(await pavedOk(['env', 'assets', '--team', team, '--format', 'json'], admin)) as Record<string, string>;
    const password = Object.entries(env).find(([k]) => k.endsWith('PASSWORD'))?.[1];
    expect(password).toBe(automation.resources.get(externalName)!.password);

    // A callback signed with another secret is refused, whatever it claims.
    const raw = JSON.stringify({ instanceId: got.id, deliveryId: 'forged', verb: 'delete', status: 'succeeded' });
    const forged = await fetch(`${server!.url}/api/v1/callbacks/webhook/${got.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'paved-signature': signatureHeader(randomBytes(32).toString('hex'), raw) },
      body: raw,
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('signature_invalid');

    const deleted = await paved(['delete', 'assets', '--team', team, '--wait', '--timeout', '60s'], admin);
    expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
    expect(automation.resources.has(externalName)).toBe(false);
    expect(automation.callbacks.filter((c) => c.body.verb === 'delete').map((c) => c.status)).toEqual([202]);
    expect((await paved(['get', 'assets', '--team', team], admin)).code).toBe(5);
  }, 120_000);
});
