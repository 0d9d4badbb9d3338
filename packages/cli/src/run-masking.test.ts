import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProductManifestsFromText } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore, type SecretStore } from '@paved/secrets';
import { buildApp, createAuditSigner } from '@paved/server';
import { createStore, type Store } from '@paved/store';
import { cliSandbox, newToken } from './test-support.js';

/**
 * `paved run --service … --instance …` ships the command's output to the service's log stream,
 * where the team's viewers read it: the credentials revealed for the run must not arrive there.
 * A real child process prints them, whole, split across writes and inside a very long line.
 */
let store: Store;
let secrets: SecretStore;
let app: FastifyInstance;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
let env: NodeJS.ProcessEnv;

const password = 'pw-7hX2q9ZtLmN4';
const privateKey = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\nLYLhPN2fW0cd2JdGq1dv2wV8\n-----END KEY-----';

const manifest = `apiVersion: paved.dev/v1alpha1
kind: Product
metadata: { name: cache, title: Cache, owner: platform, lifecycle: beta }
spec:
  version: 1.0.0
  description: An in-memory thing for tests.
  driver: memory
  inputs: { type: object }
  plans: { small: { default: true } }
  outputs:
    host: {}
    password: { secret: true }
    key: { secret: true }
`;

beforeAll(async () => {
  sandbox = await cliSandbox();
  store = await createStore({ url: join(sandbox.dir, 'paved.db') });
  await store.migrate();
  secrets = createSecretStore({ store, masterKey: { key: randomBytes(32), id: 'testkey1' } });
  app = await buildApp({
    store, secrets, version: 'test', logger: false, auditSigner: createAuditSigner(randomBytes(32)),
    targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }],
    drivers: { memory: createMemoryDriver() },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await store.createUser({ name: 'admin', admin: true });
  const t = newToken();
  await store.createToken({ userId: admin.id, name: 'test', hash: t.hash });
  const platform = await store.createTeam({ name: 'platform', title: 'Platform', platform: true });
  const payments = await store.createTeam({ name: 'payments', title: 'Payments' });
  await store.setMembership({ teamId: platform.id, userId: admin.id, role: 'owner' });
  await store.setMembership({ teamId: payments.id, userId: admin.id, role: 'owner' });
  await store.createService({ teamId: payments.id, name: 'shop', description: 'The shop', lifecycle: 'experimental' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const published = await fetch(`${url}/api/v1/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(parseProductManifestsFromText(manifest, 'cache.yaml')[0]),
  });
  expect(published.status).toBe(201);
  env = { PAVED_URL: url, PAVED_TOKEN: t.token, PAVED_TEAM: 'payments' };

  // What the engine does once the driver created the resource.
  expect((await sandbox.run(['create', 'cache', 'orders-db'], { env })).code).toBe(0);
  const [claimed] = (await store.claimDue({ owner: 'test', leaseMs: 30_000, limit: 10 })).filter((c) => c.instance.name === 'orders-db');
  await secrets.put(claimed!.instance.id, 'credentials', { host: 'mem.local', password, key: privateKey });
  await store.recordStatus(claimed!.instance.id, claimed!.leaseToken, {
    status: { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'ready', lastTransitionAt: new Date().toISOString() }] },
    outputs: { host: 'mem.local' },
    observedGeneration: claimed!.instance.generation,
    engine: {},
  });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

describe('paved run --service --instance', () => {
  it('masks every revealed secret in the shipped lines, also when split across writes or cut in a long line', async () => {
    // Each write is flushed on its own (a pause between them), so the shipper sees real chunk boundaries.
    const script = `
      const { ORDERS_DB_PASSWORD: pw, ORDERS_DB_KEY: key, ORDERS_DB_HOST: host } = process.env;
      const pause = () => new Promise((r) => setTimeout(r, 30));
      (async () => {
        console.log('connecting to ' + host + ' with ' + pw);
        process.stdout.write('password=' + pw.slice(0, 5)); await pause();
        process.stdout.write(pw.slice(5) + ' (split)\\n'); await pause();
        console.error('the key is:\\n' + key);
        // A line longer than the 16 KiB cut, with the password right across the cut.
        process.stdout.write('x'.repeat(16 * 1024 - 6) + pw.slice(0, 8)); await pause();
        process.stdout.write(pw.slice(8) + ' tail\\n');
      })();`;
    const ran = await sandbox.run(['run', '--service', 'shop', '--env', 'dev', '--instance', 'orders-db', '--', process.execPath, '-e', script], { env });
    expect(ran.code).toBe(0);
    // The terminal is the developer's own: it shows what the command wrote.
    expect(ran.stdout).toContain(`password=${password} (split)`);

    const listed = await sandbox.run(['logs', 'shop', '--env', 'dev', '-o', 'json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const shipped = JSON.parse(listed.stdout) as { line: string; stream: string }[];
    const text = shipped.map((l) => l.line).join('\n');
    expect(text).toContain('connecting to mem.local with ***'); // the host is a public output: kept
    expect(text).toContain('password=*** (split)');
    expect(text).toContain('***\n***'); // the key's lines
    // Split at the pause: 'xx…x' then '*** tail'; read as one chunk: 'xx…x*** t' cut at 16 KiB.
    expect(text.replace(/x+/g, '')).toContain('*** t');
    for (const secret of [password, ...privateKey.split('\n')]) expect(text).not.toContain(secret);
    // Not even a recognisable part of the password crossed the 16 KiB cut.
    expect(text).not.toContain(password.slice(0, 8));
    expect(text).not.toContain(password.slice(8));
  });
});
