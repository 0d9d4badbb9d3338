import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore } from '@paved/secrets';
import { buildApp, createAuditSigner } from '@paved/server';
import { createStore, type Store } from '@paved/store';
import { cliSandbox, newToken } from '../test-support.js';

/**
 * `paved templates` and `paved init` in-process against a real API (SQLite store) serving this
 * repository's templates/ folder. --apply needs a worker and a PostgreSQL target: e2e/init.test.ts.
 */
let store: Store;
let app: FastifyInstance;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
let env: NodeJS.ProcessEnv;
const exit = (kind: keyof typeof errorCatalogue) => errorCatalogue[kind].exitCode;
const exists = (path: string) => access(path).then(() => true, () => false);

beforeAll(async () => {
  sandbox = await cliSandbox();
  store = await createStore({ url: join(sandbox.dir, 'paved.db') });
  await store.migrate();
  app = await buildApp({
    store, version: 'test', logger: false, auditSigner: createAuditSigner(randomBytes(32)),
    secrets: createSecretStore({ store, masterKey: { key: randomBytes(32), id: 'testkey1' } }),
    targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }],
    drivers: { memory: createMemoryDriver() },
    templatesDir: fileURLToPath(new URL('../../../../templates', import.meta.url)),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  // A plain team member, not an admin: init must need no platform action.
  const dev = await store.createUser({ name: 'dev', admin: false });
  const t = newToken();
  await store.createToken({ userId: dev.id, name: 'test', hash: t.hash });
  const team = await store.createTeam({ name: 'orders', title: 'Orders' });
  await store.setMembership({ teamId: team.id, userId: dev.id, role: 'member' });
  env = { PAVED_URL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, PAVED_TOKEN: t.token };
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

describe('paved templates', () => {
  it('lists the templates the platform ships', async () => {
    const res = await sandbox.run(['templates', '-o', 'json'], { env });
    expect(res.code, res.stderr).toBe(0);
    const names = JSON.parse(res.stdout).map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['node-postgres', 'node-redis']));
    const table = await sandbox.run(['templates'], { env });
    expect(table.stdout).toMatch(/node-postgres\s+Node\.js HTTP service with PostgreSQL\s+postgres/);
  });
});

describe('paved init', () => {
  it('refuses a folder with something in it, before asking the server for anything', async () => {
    const dir = join(sandbox.dir, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    // No server configured at all: the folder check comes first.
    const res = await sandbox.run(['init', 'shop', '--dir', dir]);
    expect(res.code).toBe(exit('conflict'));
    expect(res.stderr).toContain('is not empty');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('names an unknown template and an unknown parameter, and writes nothing', async () => {
    const dir = join(sandbox.dir, 'nothing');
    const unknown = await sandbox.run(['init', 'shop', '--team', 'orders', '--template', 'nope', '--dir', dir], { env });
    expect(unknown.code).toBe(exit('not-found'));
    expect(unknown.stderr).toContain('available: node-postgres');
    const badSet = await sandbox.run(['init', 'shop', '--team', 'orders', '--set', 'colour=red', '--dir', dir], { env });
    expect(badSet.code).toBe(exit('input'));
    expect(badSet.stderr).toContain('has no parameter "colour" (it has: description)');
    const badName = await sandbox.run(['init', 'Shop!', '--team', 'orders', '--dir', dir], { env });
    expect(badName.code).toBe(exit('input'));
    expect(await exists(dir)).toBe(false);
  });

  it('writes the service folder from the template and registers the service in the catalog', async () => {
    const dir = join(sandbox.dir, 'shop');
    const res = await sandbox.run(['init', 'shop', '--team', 'orders', '--dir', dir, '--port', '3123', '--description', 'Sells paving stones'], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`cd ${dir}`);
    expect(res.stdout).toContain('paved run -f score.yaml --env dev -- npm start');
    const score = await readFile(join(dir, 'score.yaml'), 'utf8');
    expect(score).toContain('name: "shop"');
    expect(score).toContain('PORT: "3123"');
    expect(score).toContain('DATABASE_URL: ${resources.db.url}');
    expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))).toMatchObject({ name: 'shop', description: 'Sells paving stones' });
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('Owned by team **orders**');
    expect((await stat(join(dir, 'server.js'))).isFile()).toBe(true);

    const registered = await fetch(`${env.PAVED_URL}/api/v1/teams/orders/services/shop`, { headers: { authorization: `Bearer ${env.PAVED_TOKEN}` } });
    expect(registered.status).toBe(200);
    expect(await registered.json()).toMatchObject({ name: 'shop', teamName: 'orders', description: 'Sells paving stones', lifecycle: 'experimental' });

    // The name is taken now; the new folder stays untouched by a second attempt.
    const again = await sandbox.run(['init', 'shop', '--team', 'orders', '--dir', join(sandbox.dir, 'shop2')], { env });
    expect(again.code).toBe(exit('conflict'));
    expect(await exists(join(sandbox.dir, 'shop2'))).toBe(false);
  });
});
