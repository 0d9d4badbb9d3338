import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDriverChecks, runDriverConformance } from '@paved/driver-api/conformance';
import type { ChannelModel } from 'amqplib';
import { createCheckSession, type CheckSession, type ContractCheck, type Driver } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createRabbitmqDriver, rabbitPasswordHash } from './index.js';
import { admin, conformanceOptions, context, newName, openAs, rabbitTarget, unreachable } from './test-support.js';

const skip = await unreachable();
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping rabbitmq driver tests: ${skip}`);

runDriverConformance(conformanceOptions(skip));

describe.skipIf(skipHere)('rabbitmq driver on the machine broker', () => {
  const target = rabbitTarget();
  let driver: Driver;
  const names: string[] = [];
  const extraUsers: string[] = [];
  const fresh = () => {
    const name = newName();
    names.push(name);
    return name;
  };
  const password = () => randomBytes(24).toString('hex');
  const check = (name: string): ContractCheck => {
    const found = driver.checks?.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  };
  const runCheck = (name: string, instanceName: string, outputs: Record<string, string>) =>
    check(name).run({ target, instance: context(target, instanceName, '').instance, outputs, signal: new AbortController().signal });
  const putUser = (user: string, tags = '') => admin('PUT', `/api/users/${user}`, { password_hash: rabbitPasswordHash(password()), hashing_algorithm: 'rabbit_password_hashing_sha256', tags });

  beforeAll(() => {
    driver = createRabbitmqDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name, '')).catch(() => {});
    for (const user of extraUsers) await admin('DELETE', `/api/users/${user}`).catch(() => {});
  });

  it('preflight passes for an administrator and names the broker version', async () => {
    const result = await driver.preflight(target);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.version).toMatch(/^RabbitMQ 3\.\d+/);
  });

  it('preflight names each problem with its fix, and never the password', async () => {
    const weak = `pv_rmqt_weak_${randomBytes(4).toString('hex')}`;
    extraUsers.push(weak);
    const weakPassword = password();
    await admin('PUT', `/api/users/${weak}`, { password_hash: rabbitPasswordHash(weakPassword), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: 'management' });
    const notAdmin = await driver.preflight(rabbitTarget('weak', { managementUrl: `http://${weak}:${weakPassword}@127.0.0.1:15672` }));
    expect(notAdmin.ok).toBe(false);
    expect(notAdmin.problems).toEqual([
      `user "${weak}" lacks the "administrator" tag needed to create vhosts and users; run: rabbitmqctl set_user_tags ${weak} administrator`,
    ]);

    const wrong = await driver.preflight(rabbitTarget('wrong', { managementUrl: 'http://guest:n0t-the-pw@127.0.0.1:15672' }));
    expect(wrong).toMatchObject({ ok: false, problems: ['the management API refused user "guest": check the user and password in config.managementUrl'] });

    const down = await driver.preflight(rabbitTarget('down', { managementUrl: 'http://guest:s3cret-pw@127.0.0.1:2' }));
    expect(down.ok).toBe(false);
    expect(down.problems).toHaveLength(1);
    expect(down.problems[0]).toMatch(/^cannot reach the management API at http:\/\/127\.0\.0\.1:2 \(ECONNREFUSED\); enable it with "rabbitmq-plugins enable rabbitmq_management"/);
    expect(down.problems[0]).not.toContain('s3cret-pw');

    const noAmqp = await driver.preflight(rabbitTarget('no-amqp', { amqpUrl: 'amqp://127.0.0.1:1' }));
    expect(noAmqp.problems).toEqual(['cannot reach the AMQP listener at 127.0.0.1:1 (ECONNREFUSED); check config.amqpUrl, config.host and config.port']);
  });

  it('a failed call is a DriverError naming step and instance, retryable only when it may pass later', async () => {
    const name = fresh();
    const refused = await driver.create(context(rabbitTarget('wrong', { managementUrl: 'http://guest:n0t-the-pw@127.0.0.1:15672' }), name, password())).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DriverError);
    expect((refused as DriverError).retryable).toBe(false);
    expect((refused as DriverError).message).toBe(`rabbitmq: ensure-vhost failed for "${name}": HTTP 401 Login failed (user "guest" was refused: check the credentials in config.managementUrl)`);
    const down = await driver.create(context(rabbitTarget('down', { managementUrl: 'http://guest:s3cret-pw@127.0.0.1:2' }), name, password())).catch((e: unknown) => e);
    expect((down as DriverError).retryable).toBe(true);
    expect((down as DriverError).message).not.toContain('s3cret-pw');
    const noSecret = await driver.create({ ...context(target, name, ''), secrets: {} }).catch((e: unknown) => e);
    expect((noSecret as DriverError).issues[0]?.path).toBe('secrets.password');
  });

  it('reports drift (tags, password, foreign grant, lost permissions) and update repairs it', async () => {
    const name = fresh();
    const ctx = context(target, name, password());
    const { outputs } = await driver.create(ctx);
    const intruder = `${name}x_other`;
    extraUsers.push(intruder);
    await putUser(intruder);
    await admin('PUT', `/api/permissions/${name}/${intruder}`, { configure: '.*', write: '.*', read: '.*' });
    await admin('PUT', `/api/users/${name}`, { password_hash: rabbitPasswordHash('changed behind our back'), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: 'administrator' });
    await admin('PUT', `/api/permissions/${name}/${name}`, { configure: '', write: '.*', read: '.*' });
    const drifted = await driver.observe(ctx);
    expect(drifted).toMatchObject({ exists: true, upToDate: false });
    expect(drifted.diff).toEqual([
      `user "${name}" has tags administrator (wants none)`,
      `user "${name}" password differs from the one in the secret store`,
      `user "${name}" permissions on vhost "${name}" are configure= write=.* read=.*`,
      `user "${intruder}" may use vhost "${name}"`,
    ]);
    await driver.update(ctx);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
    await admin('DELETE', `/api/permissions/${name}/${name}`);
    expect((await driver.observe(ctx)).diff).toEqual([`user "${name}" has no permissions on vhost "${name}"`]);
  });

  it('offers connect, write-read and isolation checks that pass on a good instance', async () => {
    expect(driver.checks?.map((c) => c.name)).toEqual(['connect', 'write-read', 'isolation']);
    const name = fresh();
    const { outputs } = await driver.create(context(target, name, password()));
    for (const checkName of ['connect', 'write-read', 'isolation']) await runCheck(checkName, name, outputs);
    // write-read cleans up after itself: no queue is left in the tenant's vhost.
    const queues = (await admin('GET', `/api/queues/${name}`)).body as unknown[];
    expect(queues).toEqual([]);
  });

  it('connect and write-read share one tenant connection and channel when run with a check session, which closes them', async () => {
    const name = fresh();
    const { outputs } = await driver.create(context(target, name, password()));
    const session = createCheckSession();
    const keys: string[] = [];
    const opened: unknown[] = [];
    const counting: CheckSession = {
      use: (key, open, close) =>
        session.use(key, async () => {
          keys.push(key);
          const value = await open();
          opened.push(value);
          return value;
        }, close),
    };
    try {
      // isolation opens its own connection, to another vhost: it must not go through the session.
      for (const c of driver.checks ?? []) await c.run({ target, instance: context(target, name, '').instance, outputs, signal: new AbortController().signal, session: counting });
      expect(keys).toEqual([`rabbitmq:${name}@${name}`, `rabbitmq-channel:${name}@${name}`]);
      await (opened[0] as ChannelModel).createChannel().then((channel) => channel.close()); // still open
    } finally {
      await session.close();
    }
    await expect((opened[0] as ChannelModel).createChannel()).rejects.toThrow(/closed/i);
    expect((await admin('GET', `/api/queues/${name}`)).body).toEqual([]);
  });

  it('checks fail with one clear line when the instance is broken behind Paved\'s back', async () => {
    const name = fresh();
    const { outputs } = await driver.create(context(target, name, password()));

    // Isolation: a grant on the default vhost, then management tags, each caught.
    await admin('PUT', `/api/permissions/%2F/${name}`, { configure: '.*', write: '.*', read: '.*' });
    await expect(runCheck('isolation', name, outputs)).rejects.toThrow(`rabbitmq check isolation: user "${name}" could open vhost "/" outside its own "${name}"`);
    await admin('DELETE', `/api/permissions/%2F/${name}`);
    await admin('PUT', `/api/users/${name}`, { password_hash: rabbitPasswordHash(outputs.password ?? ''), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: 'management' });
    await expect(runCheck('isolation', name, outputs)).rejects.toThrow(`rabbitmq check isolation: user "${name}" can use the management API (it must have no tags)`);

    // The login removed: connect and write-read say so, in words, without the password.
    await admin('DELETE', `/api/users/${name}`);
    const failure = (await runCheck('connect', name, outputs).catch((e: unknown) => e)) as Error;
    expect(failure.message).toBe(`rabbitmq check connect: login refused for user "${name}" (wrong password, or the user was removed)`);
    expect(failure.message).not.toContain(outputs.password);
    await expect(runCheck('write-read', name, outputs)).rejects.toThrow(/^rabbitmq check write-read: login refused/);
  });

  it('plan limits hold on the broker: a connection past maxConnections is refused', async () => {
    const name = fresh();
    const ctx = { ...context(target, name, password()), instance: { ...context(target, name, '').instance, values: { maxConnections: 1, maxQueues: 10 } } };
    const { outputs } = await driver.create(ctx);
    expect((await admin('GET', `/api/vhost-limits/${name}`)).body).toEqual([{ vhost: name, value: { 'max-connections': 1, 'max-queues': 10 } }]);
    const first = await openAs(outputs);
    try {
      await expect(openAs(outputs)).rejects.toThrow();
    } finally {
      await first.close();
    }
    const bad = await driver.create({ ...ctx, instance: { ...ctx.instance, values: { maxQueues: -3 } } }).catch((e: unknown) => e);
    expect((bad as DriverError).issues[0]?.path).toBe('values.maxQueues');
  });


  it('a new instance is observed with two GETs and created without reading back; an existing vhost is read and repaired', async () => {
    const calls: string[] = [];
    // Watches what is asked of the real broker; it changes nothing.
    const watching: typeof fetch = async (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const watched = createRabbitmqDriver({ fetch: watching });
    const name = fresh();
    const ctx = { ...context(target, name, password()), instance: { ...context(target, name, '').instance, values: { maxConnections: 20, maxQueues: 100 } } };
    // A new instance's observe asks only for the vhost and the user.
    expect(await watched.observe(ctx)).toMatchObject({ exists: false });
    expect(calls.sort()).toEqual([`GET /api/users/${name}`, `GET /api/vhosts/${name}`]);
    calls.length = 0;
    await watched.create(ctx);
    // The vhost first, its limits (in one PUT) beside the user, the permissions last.
    expect(calls[0]).toBe(`PUT /api/vhosts/${name}`);
    expect(calls.slice(1, 3).sort()).toEqual([`PUT /api/parameters/vhost-limits/${name}/limits`, `PUT /api/users/${name}`]);
    expect(calls.slice(3)).toEqual([`PUT /api/permissions/${name}/${name}`]);
    expect((await admin('GET', `/api/vhost-limits/${name}`)).body).toEqual([{ vhost: name, value: { 'max-connections': 20, 'max-queues': 100 } }]);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });

    // The vhost there already (a retry, an update): what it holds is read, and a foreign grant revoked.
    const intruder = `${name}x_other`;
    extraUsers.push(intruder);
    await putUser(intruder);
    await admin('PUT', `/api/permissions/${name}/${intruder}`, { configure: '.*', write: '.*', read: '.*' });
    calls.length = 0;
    await watched.create(ctx);
    expect(calls.filter((call) => call.startsWith('GET'))).toHaveLength(3);
    expect(calls).toContain(`DELETE /api/permissions/${name}/${intruder}`);
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true, diff: [] });

    // A repeated create sends only the two PUTs that are always sent (same values); a limit
    // wanted absent goes, the other stays.
    calls.length = 0;
    await watched.create(ctx);
    expect(calls.filter((call) => !call.startsWith('GET'))).toEqual([`PUT /api/vhosts/${name}`, `PUT /api/permissions/${name}/${name}`]);
    await watched.update({ ...ctx, instance: { ...ctx.instance, values: { maxQueues: 50 } } });
    expect((await admin('GET', `/api/vhost-limits/${name}`)).body).toEqual([{ vhost: name, value: { 'max-queues': 50 } }]);
    await watched.update({ ...ctx, instance: { ...ctx.instance, values: {} } });
    expect((await admin('GET', `/api/vhost-limits/${name}`)).body).toEqual([]);
  });
  it('rejects a target config without managementUrl or admin, naming the field', async () => {
    const missing = await driver.observe(context(rabbitTarget('bad', { managementUrl: undefined }), fresh(), password())).catch((e: unknown) => e);
    expect((missing as DriverError).issues[0]?.path).toBe('config.managementUrl');
    const anonymous = await driver.observe(context(rabbitTarget('bad', { managementUrl: 'http://127.0.0.1:15672' }), fresh(), password())).catch((e: unknown) => e);
    expect((anonymous as DriverError).message).toBe('rabbitmq target "bad": config.managementUrl must name the admin user and password (http://admin:password@host:15672)');
  });
});

describe('rabbitmq connection limit', () => {
  it('is the vhost\'s maxConnections, which the engine reads to wait for the checks\' close before Ready when it is 1', () => {
    const driver = createRabbitmqDriver();
    const instance = { id: 'i', team: 't', name: 'q', externalName: 'pv_q', product: 'amqp', plan: 'small', values: {} };
    expect(driver.connectionLimit?.({ ...instance, values: { maxConnections: 1 } })).toBe(1);
    expect(driver.connectionLimit?.(instance)).toBeUndefined();
    expect(() => driver.connectionLimit?.({ ...instance, values: { maxConnections: -1 } })).toThrow(/maxConnections/);
  });
});
