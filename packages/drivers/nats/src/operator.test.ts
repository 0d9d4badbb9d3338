import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { createCheckSession, silentLogger, type CheckSession, type Driver, type DriverContext, type Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createNatsDriver, encodeJwt, formatCreds, nkeyFromRaw, parseCreds, readTargetConfig } from './index.js';
import { accountKey } from './keys.js';
import { jwtAuthenticator } from './connections.js';
import { startOperatorServer, natsBinaryMissing, accountOf, type OperatorServer } from './test-support.js';

const require = createRequire(import.meta.url);
const nkeys = require('@nats-io/nkeys') as typeof import('@nats-io/nkeys');

const skip = natsBinaryMissing();
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping nats operator-mode tests: ${skip}`);

type Outputs = Record<string, string>;
let server: OperatorServer | undefined;
const serverReady = async (): Promise<OperatorServer> => (server ??= await startOperatorServer());
afterAll(async () => {
  await server?.stop();
});

/** Connects the way an application would: the standard client reading the issued .creds text. */
async function asApp<T>(outputs: Outputs, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: new URL(outputs.url!).host, reconnect: false, timeout: 3_000, authenticator: credsAuthenticator(new TextEncoder().encode(outputs.creds!)) });
  try {
    return await work(nc);
  } finally {
    await nc.close().catch(() => {});
  }
}

/** A request whose permission error reaches us (noMux); resolves with the reply text. */
async function rawRequest(nc: NatsConnection, subject: string, body = ''): Promise<string> {
  const reply = await nc.request(subject, new TextEncoder().encode(body), { timeout: 2_000, noMux: true });
  return new TextDecoder().decode(reply.data);
}

runDriverConformance({
  name: 'nats (operator mode, own nats-server)',
  createDriver: () => createNatsDriver(),
  target: async () => (await serverReady()).target,
  outputs: ['url', 'stream', 'subjects', 'creds', 'username', 'account'],
  values: { maxBytes: 1024 * 1024, maxMessages: 1000, maxAge: '1h' },
  update: { values: { maxBytes: 2 * 1024 * 1024 } },
  useCredentials: async (outputs) => {
    await asApp(outputs, async (nc) => {
      const ack = await jetstream(nc).publish(`${outputs.stream}.orders`, 'hello');
      const stored = await (await jetstreamManager(nc)).streams.getMessage(outputs.stream!, { seq: ack.seq });
      expect(stored?.string()).toBe('hello');
    });
  },
  // Resolves only if the intruder's credentials actually read a message of the victim's stream.
  crossAccess: async (victim, intruder) => {
    await asApp(intruder, async (nc) => {
      const reply = JSON.parse(await rawRequest(nc, `$JS.API.STREAM.MSG.GET.${victim.stream}`, JSON.stringify({ seq: 1 }))) as { message?: unknown; error?: { description?: string } };
      if (!reply.message) throw new Error(reply.error?.description ?? 'no message');
    });
  },
  assertGone: async (externalName) => {
    const s = await serverReady();
    if (s.liveAccountNames().includes(externalName)) throw new Error(`account ${externalName} is still in the resolver`);
    if (s.streamFilesLeft(externalName)) throw new Error(`stream files of ${externalName} are still on disk`);
  },
  inventory: async (externalName) => {
    const s = await serverReady();
    return [
      ...s.liveAccountNames().filter((name) => name === externalName).map((name) => `account ${name}`),
      ...(s.streamFilesLeft(externalName) ? [`stream ${externalName}`] : []),
    ];
  },
  ...(skip ? { skip } : {}),
});

function context(target: Target, externalName: string, values: Record<string, unknown> = {}, userSeed = randomBytes(32).toString('hex')): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: 'events', externalName, product: 'nats', plan: 'small', values: { maxBytes: 1024 * 1024, ...values } },
    target,
    secrets: { userSeed },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

describe.skipIf(skipHere)('nats driver in operator mode: traps, checks, preflight', () => {
  let s: OperatorServer;
  let driver: Driver;
  const made: DriverContext[] = [];
  const fresh = (values: Record<string, unknown> = {}) => {
    const ctx = context(s.target, `pv_nats_${randomBytes(5).toString('hex')}`, values);
    made.push(ctx);
    return ctx;
  };
  const deleteAll = async (ctx: DriverContext) => {
    for (const step of driver.deletion) await step.run(ctx);
  };
  const check = (name: string) => {
    const found = driver.checks?.find((c) => c.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  };
  const runCheck = (name: string, ctx: DriverContext, outputs: Outputs) =>
    check(name).run({ target: ctx.target, instance: ctx.instance, outputs, signal: new AbortController().signal });
  const runCheckIn = (name: string, ctx: DriverContext, outputs: Outputs, session: CheckSession) =>
    check(name).run({ target: ctx.target, instance: ctx.instance, outputs, signal: new AbortController().signal, session });

  beforeAll(async () => {
    s = await serverReady();
    driver = createNatsDriver();
  });
  afterAll(async () => {
    for (const ctx of made) await deleteAll(ctx).catch(() => {});
  });

  it('trap (a): deletion removes the stream files, not just the account', async () => {
    const ctx = fresh();
    const outputs = (await driver.create(ctx)).outputs;
    await asApp(outputs, (nc) => jetstream(nc).publish(`${outputs.stream}.x`, 'data'));
    expect(s.streamFilesLeft(ctx.instance.externalName)).toBe(true);
    expect(driver.deletion.map((step) => step.name)).toEqual(['delete-stream', 'delete-account']);
    await deleteAll(ctx);
    expect(s.streamFilesLeft(ctx.instance.externalName)).toBe(false);
    expect(s.liveAccountNames()).not.toContain(ctx.instance.externalName);
    await expect(asApp(outputs, (nc) => nc.flush())).rejects.toThrow(/authori/i);
  });

  it('trap (c): a deleted account comes back to life when created again (a fresh JWT, never the identical one)', async () => {
    const ctx = fresh();
    const first = (await driver.create(ctx)).outputs;
    await deleteAll(ctx);
    const again = (await driver.create(ctx)).outputs;
    expect(again.account).toBe(first.account);
    await runCheck('write-read', ctx, again);
    expect((await driver.observe(ctx)).upToDate).toBe(true);
  });

  it('trap (d): every account limit is explicit, so the tenant can subscribe and connect', async () => {
    const ctx = fresh();
    const outputs = (await driver.create(ctx)).outputs;
    const sys = readTargetConfig(s.target);
    if (sys.mode !== 'operator') throw new Error('operator target expected');
    const nc = await connect({ servers: sys.servers, reconnect: false, authenticator: jwtAuthenticator(sys.system.jwt, sys.system.seed) });
    try {
      const token = await rawRequest(nc, `$SYS.REQ.ACCOUNT.${outputs.account}.CLAIMS.LOOKUP`);
      const limits = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { nats: { limits: Record<string, number> } }).nats.limits;
      for (const key of ['subs', 'data', 'payload', 'conn', 'imports', 'exports', 'leaf', 'disk_storage', 'mem_storage', 'streams', 'consumer']) expect(limits, key).toHaveProperty(key);
      expect(limits.subs).toBe(-1);
      expect(limits.disk_storage).toBe(1024 * 1024);
    } finally {
      await nc.close();
    }
    await asApp(outputs, async (app) => {
      const sub = app.subscribe(`${outputs.stream}.live`, { max: 1 });
      app.publish(`${outputs.stream}.live`, 'ping');
      for await (const msg of sub) expect(msg.string()).toBe('ping');
    });
  });

  it('trap (e): signatures come from node:crypto and match @nats-io/nkeys byte for byte', () => {
    const raw = randomBytes(32);
    const mine = nkeyFromRaw('account', raw);
    const theirs = nkeys.fromSeed(new TextEncoder().encode(mine.seed));
    expect(mine.publicKey).toBe(theirs.getPublicKey());
    const data = new TextEncoder().encode('nonce-123');
    expect(Buffer.from(mine.sign(data)).equals(Buffer.from(theirs.sign(data)))).toBe(true);
    // How much faster than nkeys.js it signs is a benchmark's business: bench/driver-nats.mjs.
  });

  it("another account's unrestricted user cannot even see this stream", async () => {
    const a = fresh();
    const b = fresh();
    const aOut = (await driver.create(a)).outputs;
    await driver.create(b);
    const config = readTargetConfig(s.target);
    if (config.mode !== 'operator') throw new Error('operator target expected');
    const user = nkeyFromRaw('user', randomBytes(32));
    const jwt = encodeJwt({ sub: user.publicKey, name: 'wide-open', nats: { type: 'user', subs: -1, data: -1, payload: -1, pub: {}, sub: {} } }, accountKey(config, b.instance.externalName), { identity: 'unique' });
    const nc = await connect({ servers: config.servers, reconnect: false, authenticator: jwtAuthenticator(jwt, user) });
    try {
      const reply = JSON.parse(await rawRequest(nc, `$JS.API.STREAM.INFO.${aOut.stream}`)) as { error?: { description?: string } };
      expect(reply.error?.description).toMatch(/stream not found/);
    } finally {
      await nc.close();
    }
  });

  it('new secrets on update re-issue the credential and retire the old one', async () => {
    const ctx = fresh();
    const old = (await driver.create(ctx)).outputs;
    const renewed: DriverContext = { ...ctx, secrets: { userSeed: randomBytes(32).toString('hex') } };
    made.push(renewed);
    expect((await driver.observe(renewed)).diff).toEqual(['the account does not trust the current credential (issued secrets changed)']);
    const next = (await driver.update(renewed)).outputs;
    expect(next.account).toBe(old.account);
    expect(next.creds).not.toBe(old.creds);
    await runCheck('write-read', renewed, next);
    await expect(runCheck('connect', ctx, old)).rejects.toThrow(/cannot connect with the issued credentials: .*authori/i);
  });

  it('checks pass on a good instance and fail with one clear line on a broken one', async () => {
    const ctx = fresh();
    const outputs = (await driver.create(ctx)).outputs;
    expect(driver.checks?.map((c) => c.name)).toEqual(['connect', 'write-read', 'isolation']);
    for (const name of ['connect', 'write-read', 'isolation']) await runCheck(name, ctx, outputs);

    // Wide-open credentials for the same account: the isolation check must notice.
    const config = readTargetConfig(s.target);
    if (config.mode !== 'operator') throw new Error('operator target expected');
    const user = nkeyFromRaw('user', randomBytes(32));
    const wide = encodeJwt({ sub: user.publicKey, name: 'wide', nats: { type: 'user', subs: -1, data: -1, payload: -1, pub: {}, sub: {} } }, accountKey(config, ctx.instance.externalName), { identity: 'unique' });
    const wideOutputs = { ...outputs, creds: formatCreds(wide, user.seed) };
    await expect(runCheck('isolation', ctx, wideOutputs)).rejects.toThrow(/^nats: isolation (broken|not proven): publishing to "paved_isolation_probe\.[0-9a-f]+"/);

    // The account removed behind Paved's back: connect and write-read fail, naming what broke.
    await driver.deletion[1]!.run(ctx);
    await expect(runCheck('connect', ctx, outputs)).rejects.toThrow(/^nats: cannot connect with the issued credentials: .*[Aa]uthorization/);
    const error = await runCheck('write-read', ctx, outputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as Error).message).not.toContain(parseCreds(outputs.creds!).seed);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });

  it('checks share one tenant connection when run with a check session, which closes it', async () => {
    const ctx = fresh();
    const outputs = (await driver.create(ctx)).outputs;
    const session = createCheckSession();
    const keys: string[] = [];
    const opened: NatsConnection[] = [];
    const counting: CheckSession = {
      use: (key, open, close) =>
        session.use(key, async () => {
          keys.push(key);
          const value = await open();
          opened.push(value as NatsConnection);
          return value;
        }, close),
    };
    // The server's own count of the account's client connections, asked as the system user.
    const config = readTargetConfig(s.target);
    if (config.mode !== 'operator') throw new Error('operator target expected');
    const connectionsOfAccount = async () => {
      const sys = await connect({ servers: config.servers, reconnect: false, authenticator: jwtAuthenticator(config.system.jwt, config.system.seed) });
      try {
        const reply = JSON.parse(await rawRequest(sys, `$SYS.REQ.ACCOUNT.${outputs.account}.CONNZ`)) as { data?: { num_connections?: number } };
        return reply.data?.num_connections ?? 0;
      } finally {
        await sys.close();
      }
    };
    try {
      for (const c of driver.checks ?? []) await runCheckIn(c.name, ctx, outputs, counting);
      expect(keys).toEqual([`nats:${outputs.username}@${config.servers}`]);
      expect(opened).toHaveLength(1);
      expect(opened[0]!.isClosed()).toBe(false);
      expect(await connectionsOfAccount()).toBe(1);
    } finally {
      await session.close();
    }
    expect(opened[0]!.isClosed()).toBe(true);
    for (let i = 0; i < 50 && (await connectionsOfAccount()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await connectionsOfAccount()).toBe(0);
  });

  it('preflight passes with the right keys and names the fix with a wrong signing key', async () => {
    expect(await driver.preflight(s.target)).toMatchObject({ ok: true, problems: [], version: 'nats-server 2.9.10' });
    const stranger = nkeys.createOperator();
    const bad = { ...s.target, config: { ...s.target.config, operatorSigningKey: new TextDecoder().decode(stranger.getSeed()) } };
    const result = await driver.preflight(bad);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/refused an account signed with operatorSigningKey/);
    expect(result.problems.join('\n')).not.toContain(new TextDecoder().decode(stranger.getSeed()));
  });

  it('rejects a bad target config and bad values with the field named', async () => {
    const noKey = { ...s.target, config: { mode: 'operator', url: s.target.config.url } };
    expect(() => readTargetConfig(noKey)).toThrow(/config\.operatorSigningKey/);
    expect(() => readTargetConfig({ ...s.target, config: { mode: 'cluster' } })).toThrow(/config\.mode/);
    const error = await driver.create(context(s.target, 'pv_nats_badvalues', { maxAge: 'forever' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).issues[0]?.path).toBe('values.maxAge');
    expect(accountOf(s.target, 'x')).toMatch(/^A/);
  });
});
