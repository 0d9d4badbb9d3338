import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TargetHealth } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore } from '@paved/secrets';
import { buildApp, createAuditSigner } from '@paved/server';
import { createStore } from '@paved/store';
import { cliSandbox, newToken } from '../test-support.js';

/** `paved targets` against a real API: one healthy target, one whose driver reports a problem. */
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
let close: () => Promise<void>;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await cliSandbox();
  const store = await createStore({ url: ':memory:' });
  await store.migrate();
  const failing = { ...createMemoryDriver(), preflight: async () => ({ ok: false, problems: ['cannot connect to Example as admin@db:5432: refused; check config.url'] }) };
  const app = await buildApp({
    store, version: 'test', logger: false, auditSigner: createAuditSigner(randomBytes(32)),
    secrets: createSecretStore({ store, masterKey: { key: randomBytes(32), id: 'testkey1' } }),
    targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }, { name: 'db', driver: 'example', labels: { tier: 'prod' }, config: { url: 'example://admin:hunter2@db:5432' } }],
    drivers: { memory: createMemoryDriver(), example: failing },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await store.createUser({ name: 'root', admin: true });
  const token = newToken();
  await store.createToken({ userId: admin.id, name: 'test', hash: token.hash });
  env = { PAVED_URL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, PAVED_TOKEN: token.token };
  close = async () => { await app.close(); await store.close(); };
});
afterAll(async () => {
  await close?.();
  await sandbox?.cleanup();
});

it('lists each target with its health and problems, as a table and as JSON, never its config', async () => {
  const table = await sandbox.run(['targets'], { env });
  expect(table.code, table.stderr).toBe(0);
  expect(table.stdout).toMatch(/NAME\s+DRIVER\s+HEALTH\s+PROBLEMS/);
  expect(table.stdout).toMatch(/mem\s+memory\s+ok/);
  expect(table.stdout).toMatch(/db\s+example\s+failing\s+cannot connect to Example as admin@db:5432/);
  const json = await sandbox.run(['targets', '-o', 'json'], { env });
  const items = JSON.parse(json.stdout) as TargetHealth[];
  expect(items.map((t) => [t.name, t.health.ok])).toEqual([['mem', true], ['db', false]]);
  expect(items[1]!.labels).toEqual({ tier: 'prod' });
  expect(json.stdout + table.stdout).not.toContain('hunter2');
});
