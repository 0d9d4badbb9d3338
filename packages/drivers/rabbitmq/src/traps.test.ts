/**
 * One test per RabbitMQ trap in docs/drivers/rabbitmq.md; each fails if the trap is reopened.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRabbitmqDriver, passwordMatches, readTargetConfig, amqpUrl } from './index.js';
import { ManagementApi } from './management-api.js';
import { admin, context, inventory, newName, openAs, rabbitTarget, rotationContext, unreachable } from './test-support.js';

const skip = await unreachable();
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping rabbitmq trap tests: ${skip}`);

describe.skipIf(skipHere)('rabbitmq traps', () => {
  const target = rabbitTarget();
  const plain = createRabbitmqDriver();
  const names: string[] = [];
  const fresh = () => {
    const name = newName();
    names.push(name);
    return name;
  };
  afterAll(async () => {
    for (const name of names) for (const step of plain.deletion) await step.run(context(target, name, '')).catch(() => {});
  });

  it('only a salted sha256 hash reaches the broker, never the password (create, update, rotate)', async () => {
    const sent: string[] = [];
    // Watches what goes over the wire to the real broker; it changes nothing.
    const watching: typeof fetch = async (input, init) => {
      sent.push(`${String(input)} ${typeof init?.body === 'string' ? init.body : ''}`);
      return fetch(input, init);
    };
    const driver = createRabbitmqDriver({ fetch: watching });
    const name = fresh();
    const passwords = [0, 1, 2].map(() => randomBytes(24).toString('hex'));
    await driver.create(context(target, name, passwords[0]!));
    await driver.update(context(target, name, passwords[1]!));
    await driver.rotate!(rotationContext(target, name, { password: passwords[2]!, rotation: 1 }, { password: passwords[1]!, rotation: 0 }));
    expect(sent.some((line) => line.includes('password_hash'))).toBe(true);
    for (const pw of passwords) expect(sent.join('\n')).not.toContain(pw);
    const stored = (await admin('GET', `/api/users/${name}_r1`)).body as { password_hash: string; hashing_algorithm: string };
    expect(stored.hashing_algorithm).toBe('rabbit_password_hashing_sha256');
    expect(passwordMatches(passwords[2]!, stored.password_hash)).toBe(true);
  });

  it('AMQP sessions are opened with noDelay (Nagle adds ~40 ms to every handshake)', async () => {
    const name = fresh();
    const { outputs } = await plain.create(context(target, name, randomBytes(24).toString('hex')));
    const connect = plain.checks!.find((check) => check.name === 'connect')!;
    // Node cannot read TCP_NODELAY back from a socket, and timing the handshake depends on the
    // machine's load; so watch the call that sets it on the socket amqplib opens to the broker.
    const port = Number(new URL(outputs.url!).port || 5672);
    const setNoDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
    try {
      await connect.run({ target, instance: context(target, name, '').instance, outputs, signal: new AbortController().signal });
      const toBroker = setNoDelay.mock.contexts.filter((socket, i) => (socket as Socket).remotePort === port && setNoDelay.mock.calls[i]![0] !== false);
      expect(toBroker.length).toBeGreaterThan(0);
    } finally {
      setNoDelay.mockRestore();
    }
  });

  it('a refused vhost is reported in words, not as "Expected ConnectionOpenOk"', async () => {
    const name = fresh();
    const { outputs } = await plain.create(context(target, name, randomBytes(24).toString('hex')));
    await admin('DELETE', `/api/permissions/${name}/${name}`);
    const failure = (await plain.checks!.find((check) => check.name === 'connect')!
      .run({ target, instance: context(target, name, '').instance, outputs, signal: new AbortController().signal })
      .catch((e: unknown) => e)) as Error;
    expect(failure.message).toBe(`rabbitmq check connect: access to vhost "${name}" refused for user "${name}" (no permissions on it)`);
  });

  it('vhost names are percent-encoded in management paths and in AMQP URLs', async () => {
    const api = new ManagementApi(readTargetConfig(target));
    const vhost = `pv_rmqt_${randomBytes(4).toString('hex')}/a%b`;
    try {
      await api.putVhost('test', vhost, 'encoding test');
      expect(await api.getVhost('test', vhost)).toMatchObject({ name: vhost });
      // The admin was granted the new vhost; reach it through an encoded URL.
      const url = amqpUrl('amqp', '127.0.0.1', 5672, vhost, 'guest', 'guest');
      expect(url).toBe(`amqp://guest:guest@127.0.0.1:5672/${vhost.replace('/', '%2F').replace('%b', '%25b')}`);
      const connection = await openAs({ host: '127.0.0.1', port: '5672', username: 'guest', password: 'guest', vhost });
      await connection.close();
    } finally {
      await api.deleteVhost('test', vhost);
    }
    expect(await api.getVhost('test', vhost)).toBeUndefined();
    await api.deleteVhost('test', vhost); // 404 is success
  });

  it('deletion removes every login of the resource, whatever rotation, even one a crash left behind', async () => {
    const name = fresh();
    const pw = () => randomBytes(24).toString('hex');
    const first = { password: pw(), rotation: 0 };
    await plain.create(context(target, name, first.password));
    await plain.rotate!(rotationContext(target, name, { password: pw(), rotation: 1 }, first));
    // A rotation interrupted right after ensure-user (3rd step): a user with no rights yet.
    let checks = 0;
    const signal = { throwIfAborted: () => { if (++checks > 3) throw new Error('crash'); }, aborted: false } as unknown as AbortSignal;
    await expect(plain.rotate!({ ...rotationContext(target, name, { password: pw(), rotation: 7 }, { password: pw(), rotation: 1 }), signal })).rejects.toThrow('crash');
    // A neighbour whose name merely starts the same must survive.
    const neighbour = `${name}_rx`;
    await admin('PUT', `/api/users/${neighbour}`, { password_hash: '', tags: '' });
    try {
      expect(await inventory(name)).toEqual([`vhost ${name}`, `user ${name}`, `user ${name}_r1`, `user ${name}_r7`]);
      for (const step of plain.deletion) await step.run(context(target, name, '', 1));
      expect(await inventory(name)).toEqual([]);
      expect((await admin('GET', `/api/users/${neighbour}`)).status).toBe(200);
    } finally {
      await admin('DELETE', `/api/users/${neighbour}`);
    }
  });
});
