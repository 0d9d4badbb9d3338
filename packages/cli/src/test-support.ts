// Test-only helper (imported by *.test.ts files; not exported from the package).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createMemoryDriver } from '@paved/driver-memory';
import { exampleProductManifest, type Instance, type Team } from '@paved/model';
import { createSecretStore } from '@paved/secrets';
import { buildApp, createAuditSigner } from '@paved/server';
import { createStore, type Store } from '@paved/store';
import type { Io, SignalName } from './io.js';
import { main } from './program.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An Io that records output and lets a test raise signals. */
export function captureIo(env: NodeJS.ProcessEnv, stdin = ''): Io & { out: string[]; errs: string[]; raise(signal: SignalName): void } {
  const out: string[] = [];
  const errs: string[] = [];
  const handlers = new Map<SignalName, Set<() => void>>();
  return {
    out, errs,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => errs.push(s), isTTY: false },
    stdin: Readable.from(stdin ? [stdin] : []),
    env,
    onSignal(signal, handler) {
      const set = handlers.get(signal) ?? new Set();
      handlers.set(signal, set.add(handler));
      return () => set.delete(handler);
    },
    raise(signal) {
      for (const handler of handlers.get(signal) ?? []) handler();
    },
  };
}

/** A temporary home for one test file's CLI config, plus a runner of `paved` in-process. */
export async function cliSandbox() {
  const dir = await mkdtemp(join(tmpdir(), 'paved-cli-test-'));
  const baseEnv: NodeJS.ProcessEnv = { PAVED_CLI_CONFIG: join(dir, 'config.json'), NO_COLOR: '1', PATH: process.env.PATH };
  return {
    dir,
    configPath: baseEnv.PAVED_CLI_CONFIG!,
    async run(argv: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; onIo?: (io: ReturnType<typeof captureIo>) => void } = {}): Promise<RunResult> {
      const io = captureIo({ ...baseEnv, ...options.env }, options.stdin);
      options.onIo?.(io);
      const code = await main(argv, io);
      return { code, stdout: io.out.join(''), stderr: io.errs.join('') };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export function newToken(): { token: string; hash: string } {
  const token = `pvd_${randomBytes(32).toString('base64url')}`;
  return { token, hash: createHash('sha256').update(token, 'utf8').digest('hex') };
}

/**
 * A real Paved API for CLI tests: a SQLite store in `dir`, the memory driver on target `mem`,
 * listening on a free port; a platform admin (`admin`, owner of the platform team `platform`)
 * and their token. No engine runs.
 */
export async function startTestApi(dir: string): Promise<{ store: Store; app: FastifyInstance; url: string; adminToken: string }> {
  const store = await createStore({ url: join(dir, 'paved.db') });
  await store.migrate();
  const secrets = createSecretStore({ store, masterKey: { key: randomBytes(32), id: 'testkey1' } });
  const app = await buildApp({ store, secrets, version: 'test', logger: false, auditSigner: createAuditSigner(randomBytes(32)), targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }], drivers: { memory: createMemoryDriver() } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await store.createUser({ name: 'admin', admin: true });
  const token = newToken();
  await store.createToken({ userId: admin.id, name: 'test', hash: token.hash });
  const platform = await store.createTeam({ name: 'platform', title: 'Platform', platform: true });
  await store.setMembership({ teamId: platform.id, userId: admin.id, role: 'owner' });
  return { store, app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, adminToken: token.token };
}

/**
 * What several CLI tests stand on: the example postgres product (memory driver) published, a
 * member `dev` of team `shop` with a token, and `shop`'s instance `db` of it (no engine ran).
 */
export async function seedShop(store: Store): Promise<{ devToken: string; db: Instance; shop: Team }> {
  const manifest = exampleProductManifest();
  manifest.metadata.owner = 'platform';
  manifest.spec.driver = 'memory';
  delete manifest.spec.targets;
  await store.publishProductVersion({ name: 'postgres', version: manifest.spec.version, manifest, digest: 'd1' });
  const dev = await store.createUser({ name: 'dev', admin: false });
  const d = newToken();
  await store.createToken({ userId: dev.id, name: 'test', hash: d.hash });
  const shop = await store.createTeam({ name: 'shop', title: 'Shop' });
  await store.setMembership({ teamId: shop.id, userId: dev.id, role: 'member' });
  const db = await store.createInstance({ teamId: shop.id, name: 'db', product: 'postgres', productVersion: manifest.spec.version, plan: 'small', inputs: {}, externalName: 'db', target: 'mem', createdBy: 'dev' });
  return { devToken: d.token, db, shop };
}
