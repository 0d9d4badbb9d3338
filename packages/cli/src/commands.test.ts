import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue, type Instance } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore } from '@paved/secrets';
import { buildApp, createAuditSigner } from '@paved/server';
import { createStore, type Store } from '@paved/store';
import type { SecretStore } from '@paved/secrets';
import { sendsInClear } from './commands/auth.js';
import { cliSandbox, newToken, type captureIo } from './test-support.js';

/**
 * The CLI against a real Paved API (SQLite store, real secret store) listening on a port.
 * No engine runs, so instances stay Pending unless a test records status as the engine would.
 */
let store: Store;
let secrets: SecretStore;
let app: FastifyInstance;
let url: string;
let adminToken: string;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
const exit = (kind: keyof typeof errorCatalogue) => errorCatalogue[kind].exitCode;

const manifest = (name: string, version = '1.0.0', extra = '') => `apiVersion: paved.dev/v1alpha1
kind: Product
metadata: { name: ${name}, title: Cache ${name}, owner: platform, lifecycle: beta }
spec:
  version: ${version}
  description: An in-memory thing for tests.
  driver: memory
  support: { channel: "#platform" }
  inputs:
    type: object
    properties:
      size: { type: integer, default: 1 }
      tags: { type: array, items: { type: string }, default: [] }
    additionalProperties: false
  plans:
    small: { default: true, quota: { perTeam: 5 } }
    large: { values: { size: 8 } }
  outputs:
    host: {}
    password: { secret: true }
${extra}`;

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
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const admin = await store.createUser({ name: 'admin', admin: true });
  const t = newToken();
  await store.createToken({ userId: admin.id, name: 'test', hash: t.hash });
  adminToken = t.token;
  const platform = await store.createTeam({ name: 'platform', title: 'Platform', platform: true });
  await store.setMembership({ teamId: platform.id, userId: admin.id, role: 'owner' });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

/**
 * For `sandbox.run`'s onIo: `open` resolves once that run follows `name`, i.e. the first status line
 * of its wait is on stderr (only the wait prints `name: phase`): a status written after that is one
 * the CLI sees arrive on its stream, not one it finds already there.
 */
function follows(name: string): { onIo: (io: ReturnType<typeof captureIo>) => void; open: Promise<void> } {
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  return {
    onIo(io) {
      const write = io.stderr.write;
      io.stderr.write = (text: string) => {
        const written = write(text);
        if (io.errs.join('').includes(`${name}: `)) opened();
        return written;
      };
    },
    open,
  };
}

/** Claims `name` as a worker would once it is due (waiting up to 2 s), releasing what else was due untouched. */
async function claimWhenDue(name: string, wanted: (instance: Instance) => boolean = () => true) {
  for (let i = 0; i < 100; i++) {
    const all = await store.claimDue({ owner: 'test', leaseMs: 30_000, limit: 50 });
    const claimed = all.find((c) => c.instance.name === name && wanted(c.instance));
    for (const other of all) if (other !== claimed) await store.releaseLease(other.instance.id, other.leaseToken);
    if (claimed) return claimed;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${name} never became due`);
}

describe('paved against a real API', () => {
  it('login reads the token from stdin, verifies it and saves a 0600 config', async () => {
    const bad = await sandbox.run(['login', '--url', url, '--token', '-'], { stdin: 'pvd_wrong\n' });
    expect(bad.code).toBe(exit('unauthenticated'));
    expect(bad.stderr).toMatch(/^error: /);

    const ok = await sandbox.run(['login', '--url', url, '--token', '-'], { stdin: `${adminToken}\n` });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('as admin (platform admin)');
    expect((await stat(sandbox.configPath)).mode & 0o777).toBe(0o600);
    expect(ok.stdout + ok.stderr).not.toContain(adminToken);

    const me = await sandbox.run(['whoami', '-o', 'json']);
    expect(JSON.parse(me.stdout).user.name).toBe('admin');
  });

  // This machine's own address on a network, as a host that is not loopback; a machine without one cannot run the login below.
  const networkAddress = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;

  it.runIf(networkAddress)('login over plain http to another host warns once on stderr that the token goes unencrypted, and still logs in', async () => {
    // The API listens on 127.0.0.1: a forwarder on the network address makes it "another host".
    const sockets = new Set<Socket>();
    const forwarder = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: Number(new URL(url).port) });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => client.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => forwarder.listen(0, networkAddress, resolve));
    try {
      const remote = `http://${networkAddress}:${(forwarder.address() as AddressInfo).port}`;
      const res = await sandbox.run(['login', '--url', remote, '--token', '-'], { stdin: `${adminToken}\n` });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('as admin');
      expect(res.stderr).toBe(`warning: ${remote} is plain http: your token will cross the network unencrypted (anyone on the way can read and use it). Use https://.\n`);
      expect(res.stdout + res.stderr).not.toContain(adminToken);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => forwarder.close(resolve));
      await sandbox.run(['login', '--url', url, '--token', '-'], { stdin: `${adminToken}\n` });
    }
  });

  it('counts only plain http to a host other than loopback as sending the token in clear', () => {
    for (const clear of ['http://paved.example.com', 'http://10.0.0.5:7468', 'http://[fd00::2]:7468', 'http://128.0.0.1', 'http://localhost.example.com', 'HTTP://Paved.Example.com/']) {
      expect(sendsInClear(clear), clear).toBe(true);
    }
    for (const safe of ['https://paved.example.com', 'http://127.0.0.1:7468', 'http://127.1.2.3', 'http://127.1', 'http://localhost:7468', 'http://LOCALHOST', 'http://[::1]:7468', 'not a url']) {
      expect(sendsInClear(safe), safe).toBe(false);
    }
  });

  it('manages users and teams', async () => {
    const user = await sandbox.run(['users', 'create', 'ann']);
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/token: pvd_/);
    expect(user.stderr).toContain('shown only once');
    const another = await sandbox.run(['users', 'token', 'ann', '--name', 'ci', '-o', 'json']);
    expect(another.code).toBe(0);
    const token = JSON.parse(another.stdout).token as string;
    expect(token).toMatch(/^pvd_/);
    expect(token).not.toBe(/token: (\S+)/.exec(user.stdout)![1]);
    const asAnn = await sandbox.run(['whoami', '-o', 'json', '--token', token]);
    expect(JSON.parse(asAnn.stdout).user.name).toBe('ann');

    // Tokens: listed without the token, narrowed, revoked at once.
    const ci = await sandbox.run(['tokens', 'create', 'ci', '--user', 'ann', '--read-only', '--expires-in', '30d', '-o', 'json']);
    expect(ci.code, ci.stderr).toBe(0);
    const issued = JSON.parse(ci.stdout) as { token: string; info: { id: string; scope: { readOnly: boolean }; expiresAt: string } };
    expect(issued.info.scope.readOnly).toBe(true);
    expect(Date.parse(issued.info.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const listed = await sandbox.run(['tokens', '--user', 'ann']);
    expect(listed.stdout).toMatch(/ci\s+read-only, all teams/);
    expect(listed.stdout).not.toContain(issued.token);
    expect((await sandbox.run(['tokens', 'revoke', issued.info.id, '--user', 'ann'])).code).toBe(0);
    expect((await sandbox.run(['whoami', '--token', issued.token])).code).toBe(exit('unauthenticated'));
    expect((await sandbox.run(['tokens', 'create', 'x', '--expires-in', '2y'])).code).toBe(exit('input'));

    expect((await sandbox.run(['teams', 'create', 'payments', '--title', 'Payments'])).code).toBe(0);
    expect((await sandbox.run(['teams', 'create', 'infra', '--platform', '-o', 'json'])).stdout).toContain('"platform": true');
    expect((await sandbox.run(['teams', 'update', 'infra', '--no-platform', '-o', 'json'])).stdout).toContain('"platform": false');
    expect((await sandbox.run(['teams', 'update', 'infra'])).code).toBe(exit('input'));
    expect((await sandbox.run(['teams', 'create', 'search'])).code).toBe(0);
    expect((await sandbox.run(['teams', 'create', 'payments'])).code).toBe(exit('conflict'));
    // `--team` limits the token (docs/cli.md), though the program's global --team parses it.
    const teamToken = await sandbox.run(['tokens', 'create', 'ci-payments', '--team', 'payments', '-o', 'json']);
    expect(teamToken.code, teamToken.stderr).toBe(0);
    expect((JSON.parse(teamToken.stdout) as { info: { scope: { team?: string } } }).info.scope.team).toBe('payments');
    expect((await sandbox.run(['teams', 'add-member', 'payments', 'ann', '--role', 'viewer'])).stdout).toContain('ann is now viewer of payments');

    const members = await sandbox.run(['teams', 'members', 'payments', '-o', 'json']);
    expect(JSON.parse(members.stdout).map((m: { userName: string; role: string }) => `${m.userName}:${m.role}`).sort()).toEqual(['admin:owner', 'ann:viewer']);
    const teams = await sandbox.run(['teams']);
    expect(teams.stdout).toMatch(/^NAME\s+TITLE\s+PLATFORM\n/);
    expect(teams.stdout).toContain('payments   Payments');
  });

  it('apply validates every file first and publishes nothing when one is invalid', async () => {
    const dir = join(sandbox.dir, 'products');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a-good.yaml'), manifest('cache'));
    await writeFile(join(dir, 'b-bad.yaml'), manifest('queue').replace('version: 1.0.0', 'version: one'));
    const bad = await sandbox.run(['apply', '-f', dir]);
    expect(bad.code).toBe(exit('input'));
    expect(bad.stderr).toContain('nothing was published');
    expect(bad.stderr).toContain('b-bad.yaml');
    expect(bad.stderr).toContain('spec.version');
    expect(JSON.parse((await sandbox.run(['products', '-o', 'json'])).stdout)).toEqual([]);

    await writeFile(join(dir, 'b-bad.yaml'), `${manifest('queue')}---\n${manifest('queue', '1.1.0')}`);
    const good = await sandbox.run(['apply', '-f', dir]);
    expect(good.stderr).toBe('');
    expect(good.stdout).toBe('product cache@1.0.0 created\nproduct queue@1.0.0 created\nproduct queue@1.1.0 created\n');
    const again = await sandbox.run(['apply', '-f', join(dir, 'a-good.yaml')]);
    expect(again.stdout).toBe('product cache@1.0.0 unchanged\n');
  });

  it('lists and shows products', async () => {
    const list = await sandbox.run(['products']);
    expect(list.stdout).toMatch(/^NAME\s+VERSION\s+LIFECYCLE/);
    expect(list.stdout).toMatch(/queue\s+1\.1\.0\s+beta\s+platform/);
    const show = await sandbox.run(['products', 'show', 'queue']);
    expect(show.stdout).toMatch(/versions:\s+1\.(0|1)\.0, 1\.(0|1)\.0/);
    expect(show.stdout).toContain('small (default)');
    expect(show.stdout).toContain('5 per team');
    expect(show.stdout).toContain('size: integer, default 1');
    expect(show.stdout).toContain('password (secret)');
    expect(show.stdout).toContain('#platform');
    const version = await sandbox.run(['products', 'show', 'queue', '--version', '1.0.0', '-o', 'yaml']);
    expect(version.stdout).toContain('version: 1.0.0');
    expect((await sandbox.run(['products', 'show', 'nope'])).code).toBe(exit('not-found'));
  });

  it('creates, lists, gets, updates and deletes an instance', async () => {
    // The admin is in two teams now (platform, payments…): a team must be named.
    const ambiguous = await sandbox.run(['create', 'cache', 'orders-cache']);
    expect(ambiguous.code).toBe(exit('input'));
    expect(ambiguous.stderr).toContain('--team');

    const created = await sandbox.run(['create', 'cache', 'orders-cache', '--team', 'payments', '--set', 'size=3', '--set', 'tags=["a"]']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Requested orders-cache (cache@1.0.0, plan small) for team payments');
    const dup = await sandbox.run(['create', 'cache', 'orders-cache', '--team', 'payments']);
    expect(dup.code).toBe(exit('conflict'));
    const badInput = await sandbox.run(['create', 'cache', 'other', '--team', 'payments', '--set', 'size=big']);
    expect(badInput.code).toBe(exit('input'));

    const env = { PAVED_TEAM: 'payments' };
    const list = await sandbox.run(['list'], { env });
    expect(list.stdout).toMatch(/^NAME\s+PRODUCT\s+PLAN\s+PHASE\s+AGE\n/);
    expect(list.stdout).toMatch(/orders-cache\s+cache@1\.0\.0\s+small\s+Pending\s+\d+s/);
    const all = await sandbox.run(['list', '--all-teams']);
    expect(all.stdout).toMatch(/payments\s+orders-cache/);
    const pending = await sandbox.run(['list', '--phase', 'Pending', '--product', 'cache'], { env });
    expect(pending.stdout).toMatch(/orders-cache\s+cache@1\.0\.0\s+small\s+Pending/);
    expect((await sandbox.run(['list', '--phase', 'Ready'], { env })).stdout).toBe('No instances match.\n');
    expect((await sandbox.run(['list', '--phase', 'Ready', '-o', 'json'], { env })).stdout.trim()).toBe('[]');
    expect((await sandbox.run(['list', '--phase', 'ready'], { env })).code).toBe(2);

    const got = await sandbox.run(['get', 'orders-cache', '-o', 'json'], { env });
    expect(JSON.parse(got.stdout)).toMatchObject({ name: 'orders-cache', inputs: { size: 3, tags: ['a'] }, status: { phase: 'Pending' } });
    expect((await sandbox.run(['get', 'orders-cache'], { env })).stdout).toMatch(/phase:\s+Pending/);

    const updated = await sandbox.run(['update', 'orders-cache', '--set', 'tags=["b"]', '-o', 'json'], { env });
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout).inputs).toEqual({ size: 3, tags: ['b'] });

    const deleted = await sandbox.run(['delete', 'orders-cache'], { env });
    expect(deleted.code).toBe(0);
    expect(JSON.parse((await sandbox.run(['get', 'orders-cache', '-o', 'json'], { env })).stdout).deletionRequested).toBe(true);
    expect((await sandbox.run(['get', 'missing'], { env })).code).toBe(exit('not-found'));
  });

  it('env and run hand out the credentials the engine stored', async () => {
    const env = { PAVED_TEAM: 'payments' };
    expect((await sandbox.run(['create', 'cache', 'orders-db'], { env })).code).toBe(0);
    // What the engine does once the driver created the resource.
    const [claimed] = await store.claimDue({ owner: 'test', leaseMs: 30_000, limit: 10 }).then((c) => c.filter((x) => x.instance.name === 'orders-db'));
    const password = `it's "s3cret" $x`;
    await secrets.put(claimed!.instance.id, 'credentials', { host: 'mem.local', password });
    await store.recordStatus(claimed!.instance.id, claimed!.leaseToken, {
      status: { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'ready', lastTransitionAt: new Date().toISOString() }] },
      outputs: { host: 'mem.local' },
      observedGeneration: claimed!.instance.generation,
      engine: {},
    });

    // A ' with $ and ": no dotenv quoting reads it back both in a shell and in dotenv. Refused, named, never shown.
    const unquotable = await sandbox.run(['env', 'orders-db'], { env });
    expect([unquotable.code, unquotable.stdout]).toEqual([exit('input'), '']);
    expect(unquotable.stderr).toContain('ORDERS_DB_PASSWORD holds a \'');
    expect(unquotable.stderr).not.toContain('s3cret');
    const shell = await sandbox.run(['env', 'orders-db', '--format', 'shell', '--prefix', 'DB_'], { env });
    expect(shell.stdout).toBe(`export DB_HOST='mem.local'\nexport DB_PASSWORD='it'\\''s "s3cret" $x'\n`);
    const json = await sandbox.run(['env', 'orders-db', '--format', 'json', '--no-prefix'], { env });
    expect(JSON.parse(json.stdout)).toEqual({ HOST: 'mem.local', PASSWORD: password });
    // Every format ends its last line, so the shell prompt or the next appended line starts on its own (dotenv: env-format.test.ts).
    for (const output of [shell, json]) expect(output.stdout).toMatch(/[^\n]\n$/);

    const check = `process.exit(process.env.ORDERS_DB_PASSWORD === ${JSON.stringify(password)} ? 42 : 1)`;
    const run = await sandbox.run(['run', '--instance', 'orders-db', '--', process.execPath, '-e', check], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(42);
    const missing = await sandbox.run(['run', '--instance', 'orders-db', '--', 'paved-no-such-command'], { env });
    expect(missing.code).toBe(exit('input'));
    expect(missing.stderr).not.toContain('s3cret');
  });

  it('create --wait follows the status stream to Ready or Failed, and stops on timeout or Ctrl-C', async () => {
    const env = { PAVED_TEAM: 'payments' };
    /** Records a status for `name` as the engine would, once the CLI has created it and follows it. */
    const engineWrites = async (name: string, phase: 'Ready' | 'Failed', following: Promise<void>) => {
      for (let i = 0; i < 100; i++) {
        const claimed = (await store.claimDue({ owner: 'test', leaseMs: 30_000, limit: 50 })).find((c) => c.instance.name === name);
        if (claimed) {
          await following;
          const ok = phase === 'Ready';
          await store.recordStatus(claimed.instance.id, claimed.leaseToken, {
            status: {
              phase,
              conditions: [{ type: 'Ready', status: ok ? 'True' : 'False', reason: ok ? 'Available' : 'CreateFailed', message: ok ? 'ready' : 'could not create the cache on target mem', lastTransitionAt: new Date().toISOString() }],
              ...(ok ? {} : { lastError: 'connection refused' }),
            },
            engine: {},
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`${name} never appeared`);
    };

    const waitOk = follows('wait-ok');
    const [ready] = await Promise.all([sandbox.run(['create', 'cache', 'wait-ok', '--wait'], { env, onIo: waitOk.onIo }), engineWrites('wait-ok', 'Ready', waitOk.open)]);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toMatch(/wait-ok is Ready \(took \d+\.\ds\)/);
    expect(ready.stdout).toContain('paved env wait-ok');
    expect(ready.stderr).toContain('wait-ok: Pending');

    const waitBad = follows('wait-bad');
    const [failed] = await Promise.all([sandbox.run(['create', 'cache', 'wait-bad', '--wait'], { env, onIo: waitBad.onIo }), engineWrites('wait-bad', 'Failed', waitBad.open)]);
    expect(failed.code).toBe(exit('driver'));
    expect(failed.stderr).toContain('error: wait-bad failed: could not create the cache on target mem');
    expect(failed.stderr).toContain('status.lastError: connection refused');

    const slow = await sandbox.run(['create', 'cache', 'wait-slow', '--plan', 'large', '--wait', '--timeout', '300ms'], { env });
    expect(slow.code).toBe(exit('unavailable'));
    expect(slow.stderr).toContain('not Ready after 300ms');

    const interrupted = await sandbox.run(['create', 'cache', 'wait-int', '--plan', 'large', '--wait'], {
      env, onIo: (io) => setTimeout(() => io.raise('SIGINT'), 300),
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('wait-int keeps provisioning in the background');
  });

  it('rotate asks for new credentials, and --wait says when the old ones stop working', async () => {
    const env = { PAVED_TEAM: 'payments' };
    expect((await sandbox.run(['create', 'cache', 'rotating'], { env })).code).toBe(0);
    const claimFor = async (name: string) => {
      for (let i = 0; i < 100; i++) {
        const claimed = (await store.claimDue({ owner: 'test', leaseMs: 30_000, limit: 50 })).find((c) => c.instance.name === name);
        if (claimed) return claimed;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`${name} never became due`);
    };
    const ready = { phase: 'Ready' as const, conditions: [{ type: 'Ready' as const, status: 'True' as const, reason: 'Available', message: 'ready', lastTransitionAt: new Date().toISOString() }] };
    const first = await claimFor('rotating');
    await store.recordStatus(first.instance.id, first.leaseToken, { status: ready, observedGeneration: first.instance.generation, engine: {} });
    await store.releaseLease(first.instance.id, first.leaseToken);

    const asked = await sandbox.run(['rotate', 'rotating', '-o', 'json'], { env });
    expect(asked.code).toBe(0);
    expect(JSON.parse(asked.stdout).credentials).toEqual({ rotation: 0, rotating: true });

    // What the engine does once the new credential is issued.
    const revokeAt = Date.now() + 3_600_000;
    const following = follows('rotating');
    const engineRotates = async () => {
      const claimed = await claimFor('rotating');
      await following.open;
      await store.recordStatus(claimed.instance.id, claimed.leaseToken, { status: ready, engine: { rotation: 1, revokeRotation: 0, revokeAt } });
    };
    const [waited] = await Promise.all([sandbox.run(['rotate', 'rotating', '--wait'], { env, onIo: following.onIo }), engineRotates()]);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('rotating has new credentials (credential #1');
    expect(waited.stdout).toContain(`keep working until ${new Date(revokeAt).toISOString()}`);
    expect((await sandbox.run(['get', 'rotating'], { env })).stdout).toContain(`#1, previous works until ${new Date(revokeAt).toISOString()}`);

    const pending = await sandbox.run(['rotate', 'orders-db-missing'], { env });
    expect(pending.code).toBe(exit('not-found'));
  });

  it('reconcile retries a Failed instance now, and --wait follows it to Ready, Failed or gone', async () => {
    const env = { PAVED_TEAM: 'payments' };
    const condition = (reason: string, message: string) => ({ type: 'Ready', status: reason === 'Available' ? 'True' as const : 'False' as const, reason, message, lastTransitionAt: new Date().toISOString() });
    const failed = { phase: 'Failed' as const, conditions: [condition('ProvisioningFailed', 'Creating "x" failed: permission denied. Retrying will not help: fix the cause, then run "paved reconcile"')], lastError: 'permission denied' };
    /** What the engine does when it gives up: Failed after 5 attempts, next look in an hour. */
    const giveUp = async (name: string) => {
      const claimed = await claimWhenDue(name);
      await store.recordStatus(claimed.instance.id, claimed.leaseToken, { status: failed, engine: { attempts: 5, dueAt: Date.now() + 3_600_000 } });
      await store.releaseLease(claimed.instance.id, claimed.leaseToken);
      return claimed.instance;
    };

    expect((await sandbox.run(['create', 'cache', 'stuck', '--plan', 'large'], { env })).code).toBe(0);
    const stuck = await giveUp('stuck');
    const asked = await sandbox.run(['reconcile', 'stuck', '-o', 'json'], { env });
    expect(asked.code).toBe(0);
    expect(JSON.parse(asked.stdout).status.phase).toBe('Provisioning');
    const events = (await store.listEvents({ instanceId: stuck.id, kinds: ['instance.reconcile-requested'] })).items;
    expect(events.map((e) => e.actor)).toEqual(['admin']);

    // The engine retries at once (attempts back to 0) and succeeds this time.
    const fixing = follows('stuck');
    const engineSucceeds = async () => {
      const claimed = await claimWhenDue('stuck');
      expect(claimed.engine.attempts).toBe(0);
      await fixing.open;
      await store.recordStatus(claimed.instance.id, claimed.leaseToken, {
        status: { phase: 'Ready', conditions: [condition('Available', 'ready')] }, observedGeneration: claimed.instance.generation, engine: { attempts: 0 },
      });
      await store.releaseLease(claimed.instance.id, claimed.leaseToken);
    };
    await giveUp('stuck');
    const [fixed] = await Promise.all([sandbox.run(['reconcile', 'stuck', '--wait'], { env, onIo: fixing.onIo }), engineSucceeds()]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/stuck is Ready \(took \d+\.\ds\)/);
    expect(fixed.stderr).toContain('stuck: Provisioning');

    // A Ready instance: checked now, nothing to wait for.
    const ready = await sandbox.run(['reconcile', 'stuck', '--wait'], { env });
    expect(ready.code).toBe(0);
    expect(ready.stdout).toContain('stuck is Ready; Paved checks it against its target now');

    // Failing again the same way ends the wait with the condition's message and exit code 8.
    expect((await sandbox.run(['create', 'cache', 'still-stuck', '--plan', 'large'], { env })).code).toBe(0);
    await giveUp('still-stuck');
    const failing = follows('still-stuck');
    const engineFailsAgain = async () => {
      const claimed = await claimWhenDue('still-stuck');
      await failing.open;
      await store.recordStatus(claimed.instance.id, claimed.leaseToken, { status: failed, engine: { attempts: 1, dueAt: Date.now() + 3_600_000 } });
      await store.releaseLease(claimed.instance.id, claimed.leaseToken);
    };
    const [again] = await Promise.all([sandbox.run(['reconcile', 'still-stuck', '--wait'], { env, onIo: failing.onIo }), engineFailsAgain()]);
    expect(again.code).toBe(exit('driver'));
    expect(again.stderr).toContain('error: still-stuck failed: Creating "x" failed: permission denied.');

    // Being deleted: --wait waits until it is gone.
    expect((await sandbox.run(['delete', 'still-stuck'], { env })).code).toBe(0);
    await giveUp('still-stuck');
    const deleting = follows('still-stuck');
    const engineDeletes = async () => {
      const claimed = await claimWhenDue('still-stuck');
      await deleting.open;
      await store.forgetInstance(claimed.instance.id, claimed.leaseToken);
    };
    const [gone] = await Promise.all([sandbox.run(['reconcile', 'still-stuck', '--wait'], { env, onIo: deleting.onIo }), engineDeletes()]);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toContain('still-stuck is deleted');

    expect((await sandbox.run(['reconcile', 'never-was'], { env })).code).toBe(exit('not-found'));
  });

  it('delete --wait ends with the reason when the deletion fails', async () => {
    const env = { PAVED_TEAM: 'payments' };
    expect((await sandbox.run(['create', 'cache', 'undeletable', '--plan', 'large'], { env })).code).toBe(0);
    const following = follows('undeletable');
    const engineFailsDeletion = async () => {
      const claimed = await claimWhenDue('undeletable', (instance) => instance.deletionRequested);
      await following.open;
      await store.recordStatus(claimed.instance.id, claimed.leaseToken, {
        status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'DeletionFailed', message: 'Deleting "x" failed: the target refused', lastTransitionAt: new Date().toISOString() }] },
        engine: { attempts: 5, dueAt: Date.now() + 3_600_000 },
      });
    };
    const [res] = await Promise.all([sandbox.run(['delete', 'undeletable', '--wait', '--timeout', '20s'], { env, onIo: following.onIo }), engineFailsDeletion()]);
    expect(res.code).toBe(exit('driver'));
    expect(res.stderr).toContain('undeletable failed: Deleting "x" failed: the target refused');
  });

  it('maps failures to exit codes and usage errors to 2', async () => {
    expect((await sandbox.run(['whoami'], { env: { PAVED_TOKEN: 'pvd_nope' } })).code).toBe(exit('unauthenticated'));
    const down = await sandbox.run(['whoami', '--url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(exit('unavailable'));
    expect(down.stderr).toContain('cannot reach Paved at http://127.0.0.1:1');
    expect((await sandbox.run(['frobnicate'])).code).toBe(2);
    expect((await sandbox.run(['list', '-o', 'xml'])).code).toBe(2);
    const help = await sandbox.run(['create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('paved create postgres orders-db --wait');
  });
});
