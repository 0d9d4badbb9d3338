import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore } from '@paved/secrets';
import { buildApp, createAuditSigner } from '@paved/server';
import { createStore, type Store } from '@paved/store';
import { cliSandbox, newToken } from './test-support.js';

/**
 * `paved products diff|deprecate|undeprecate|roadmap|request|vote` and how `show`, `get` and
 * `list` present them, against a real API (SQLite) whose clock the test sets.
 */
let store: Store;
let app: FastifyInstance;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
let now = Date.UTC(2026, 5, 1, 12);
const exit = (kind: keyof typeof errorCatalogue) => errorCatalogue[kind].exitCode;

const manifest = (version: string, extra = '', outputs = '    host: {}\n    password: { secret: true }\n') => `apiVersion: paved.dev/v1alpha1
kind: Product
metadata: { name: kv, title: Key-value store, owner: platform, lifecycle: ga }
spec:
  version: ${version}
  description: A key-value store for tests.
  driver: memory
  inputs:
    type: object
    properties:
      size: { type: integer, maximum: 100 }
  plans:
    small: { default: true }
  outputs:
${outputs}${extra}`;

beforeAll(async () => {
  sandbox = await cliSandbox();
  store = await createStore({ url: join(sandbox.dir, 'paved.db'), now: () => now });
  await store.migrate();
  const secrets = createSecretStore({ store, masterKey: { key: randomBytes(32), id: 'testkey1' } });
  app = await buildApp({
    store, secrets, version: 'test', logger: false, auditSigner: createAuditSigner(randomBytes(32)), now: () => now,
    targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }],
    drivers: { memory: createMemoryDriver() },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const admin = await store.createUser({ name: 'admin', admin: true });
  const t = newToken();
  await store.createToken({ userId: admin.id, name: 'test', hash: t.hash });
  const platform = await store.createTeam({ name: 'platform', title: 'Platform', platform: true });
  await store.setMembership({ teamId: platform.id, userId: admin.id, role: 'owner' });
  await store.createTeam({ name: 'shop', title: 'Shop' });
  expect((await sandbox.run(['login', '--url', url, '--token', '-'], { stdin: `${t.token}\n` })).code).toBe(0);
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

async function apply(name: string, text: string) {
  const file = join(sandbox.dir, `${name}.yaml`);
  await writeFile(file, text);
  return sandbox.run(['apply', '-f', file]);
}

describe('paved products: versions over time', () => {
  it('refuses a breaking minor version naming each break, and diff shows the same', async () => {
    expect((await apply('v1', manifest('1.0.0', '  changelog: First release.\n'))).code).toBe(0);
    const refused = await apply('v11', manifest('1.1.0', '', '    host: {}\n'));
    expect(refused.code).toBe(exit('conflict'));
    expect(refused.stderr).toContain('publish it as 2.0.0');
    expect(refused.stderr).toContain('outputs.password: removed');
    expect((await apply('v2', manifest('2.0.0', '  changelog: No password output.\n', '    host: {}\n'))).code).toBe(0);
    expect((await apply('v11b', manifest('1.1.0', '  changelog: TLS.\n', '    host: {}\n    password: { secret: true }\n    port: {}\n'))).code).toBe(0);

    const diff = await sandbox.run(['products', 'diff', 'kv', '1.1.0', '2.0.0']);
    expect(diff.stdout).toBe([
      'kv 1.1.0 → 2.0.0',
      'breaking (2): needs a new major version',
      '  outputs.password: removed',
      '  outputs.port: removed',
      '',
    ].join('\n'));
    const same = await sandbox.run(['products', 'diff', 'kv', '1.0.0', '1.0.0']);
    expect(same.stdout).toBe('kv 1.0.0 → 1.0.0: no changes to its contract.\n');
    const json = JSON.parse((await sandbox.run(['products', 'diff', 'kv', '1.0.0', '1.1.0', '-o', 'json'])).stdout);
    expect(json.nonBreaking).toEqual([{ path: 'outputs.port', breaking: false, message: 'added' }]);
  });

  it('deprecates a version: get and list show it with the upgrade command, and new instances are refused after the date', async () => {
    expect((await sandbox.run(['create', 'kv', 'cache1', '--team', 'shop', '--version', '1.0.0'])).code).toBe(0);
    const deprecated = await sandbox.run(['products', 'deprecate', 'kv', '--version', '1.0.0', '--date', '2026-06-30', '--reason', 'Old TLS']);
    expect(deprecated.stdout).toBe('kv 1.0.0 is deprecated: new instances are refused after 2026-06-30. Teams on it see it in paved list and paved get.\n');
    const get = await sandbox.run(['get', 'cache1', '--team', 'shop']);
    expect(get.stdout).toMatch(/deprecated:\s+kv 1\.0\.0 is deprecated \(new instances refused after 2026-06-30\): Old TLS; upgrade: paved upgrade cache1 --to 2\.0\.0 --team shop/);
    const list = await sandbox.run(['list', '--team', 'shop']);
    expect(list.stderr).toBe('warning: shop/cache1: kv 1.0.0 is deprecated (new instances refused after 2026-06-30): Old TLS; upgrade: paved upgrade cache1 --to 2.0.0 --team shop\n');
    expect(list.stdout).toMatch(/cache1\s+kv@1\.0\.0/);
    const catalog = await sandbox.run(['products']);
    expect(catalog.stdout).toMatch(/NAME\s+VERSION\s+LIFECYCLE\s+OWNER\s+PLANS\s+DEPRECATED\s+DESCRIPTION\n/);
    expect(catalog.stdout).toMatch(/kv\s+2\.0\.0\s+ga\s+platform\s+small\s+1\.0\.0 \(2026-06-30\)\s+A key-value store/);
    // The hint is a real command line: run as shown (a dry run, as no terminal can confirm here).
    const hint = /upgrade: (paved upgrade .*)$/m.exec(get.stdout)![1]!;
    const [, ...argv] = hint.split(' ');
    const tried = await sandbox.run([...argv, '--dry-run']);
    expect([tried.code, tried.stderr]).toEqual([0, '']);
    expect(tried.stdout).toContain('shop/cache1: kv 1.0.0 → 2.0.0');

    now = Date.UTC(2026, 6, 1, 8);
    const refused = await sandbox.run(['create', 'kv', 'cache2', '--team', 'shop', '--version', '1.0.0']);
    expect(refused.code).toBe(exit('conflict'));
    expect(refused.stderr).toContain('ask for 2.0.0 instead (paved create kv NAME --version 2.0.0)');
    const show = await sandbox.run(['products', 'show', 'kv']);
    expect(show.stdout).toContain('kv 1.0.0: new instances refused after 2026-06-30 — Old TLS');
    expect(show.stdout).toContain('2.0.0 (2026-06-01)\n    No password output.\n');

    expect((await sandbox.run(['products', 'undeprecate', 'kv', '--version', '1.0.0'])).stdout).toBe('kv 1.0.0 is no longer deprecated.\n');
    expect((await sandbox.run(['list', '--team', 'shop'])).stderr).toBe('');
    expect((await sandbox.run(['products'])).stdout).toMatch(/kv\s+2\.0\.0\s+ga\s+platform\s+small\s+-\s+A key-value store/);
    const past = await sandbox.run(['products', 'deprecate', 'kv', '--date', '2026-01-01', '--reason', 'x']);
    expect([past.code, past.stderr]).toEqual([exit('input'), expect.stringContaining('2026-01-01 is in the past')]);
  });

  it('keeps a roadmap and takes requests and votes', async () => {
    const added = await sandbox.run(['products', 'roadmap', 'kv', 'add', 'Replication', '--target', '2.1.0']);
    expect(added.stdout).toMatch(/^Added roadmap item (\d+) to kv: Replication \(planned\)\.\n$/);
    const id = /item (\d+)/.exec(added.stdout)![1]!;
    expect((await sandbox.run(['products', 'roadmap', 'kv', 'set', id, '--status', 'in-progress', '--no-target'])).stdout).toBe(`Roadmap item ${id} of kv: Replication (in-progress).\n`);
    expect((await sandbox.run(['products', 'roadmap', 'kv', 'set', id])).code).toBe(exit('input'));
    expect((await sandbox.run(['products', 'roadmap', 'kv', 'move', id])).code).toBe(exit('input'));
    expect((await sandbox.run(['products', 'roadmap', 'kv', 'add', 'x', '--status', 'done'])).code).toBe(exit('input'));
    expect((await sandbox.run(['products', 'roadmap', 'kv'])).stdout).toMatch(new RegExp(`^ID\\s+STATUS\\s+TARGET\\s+TITLE\\n${id}\\s+in-progress\\s+-\\s+Replication\\n$`));

    const asked = await sandbox.run(['products', 'request', 'kv', 'TTL per key']);
    const requestId = /request (\d+)/.exec(asked.stdout)![1]!;
    expect(asked.stdout).toBe(`Asked kv for "TTL per key" (request ${requestId}). Others vote with: paved products vote kv ${requestId}\n`);
    expect((await sandbox.run(['products', 'vote', 'kv', requestId])).stdout).toBe('Voted for "TTL per key": 1 vote.\n');
    expect((await sandbox.run(['products', 'vote', 'kv', requestId])).code).toBe(exit('conflict'));
    expect((await sandbox.run(['products', 'vote', 'kv', 'abc'])).code).toBe(exit('input'));
    const show = await sandbox.run(['products', 'show', 'kv']);
    expect(show.stdout).toMatch(new RegExp(`${requestId}\\s+1\\s+admin\\s+TTL per key`));
    expect(show.stdout).toMatch(new RegExp(`${id}\\s+in-progress\\s+-\\s+Replication`));
    const json = JSON.parse((await sandbox.run(['products', 'show', 'kv', '-o', 'json'])).stdout);
    expect(json.requests[0]).toMatchObject({ text: 'TTL per key', votes: 1 });
    expect(json.changelog.map((e: { version: string }) => e.version)).toEqual(['2.0.0', '1.1.0', '1.0.0']);
    expect((await sandbox.run(['products', 'roadmap', 'kv', 'remove', id])).stdout).toBe(`Removed roadmap item ${id} from kv.\n`);
  });
});
