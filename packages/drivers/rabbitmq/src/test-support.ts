/**
 * Helpers shared by this driver's test files (excluded from the build). Everything talks to the
 * real broker on this machine: admin checks go straight to the management API with fetch.
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { isCredentialName, silentLogger, type DriverContext, type RotationContext, type Target } from '@paved/driver-api';
import type { DriverConformanceOptions } from '@paved/driver-api/conformance';
import { createRabbitmqDriver } from './index.js';

export const MANAGEMENT_URL = 'http://guest:guest@127.0.0.1:15672';
export const AMQP_URL = 'amqp://127.0.0.1:5672';
const ADMIN = { base: 'http://127.0.0.1:15672', auth: `Basic ${Buffer.from('guest:guest').toString('base64')}` };

export function rabbitTarget(name = 'machine', config: Record<string, unknown> = {}): Target {
  return { name, driver: 'rabbitmq', labels: {}, config: { managementUrl: MANAGEMENT_URL, amqpUrl: AMQP_URL, ...config } };
}

/** Why the broker cannot be used here (one line), or undefined when both APIs answer. */
export async function unreachable(): Promise<string | undefined> {
  try {
    const response = await fetch(`${ADMIN.base}/api/overview`, { headers: { authorization: ADMIN.auth }, signal: AbortSignal.timeout(3_000) });
    await response.body?.cancel();
    if (!response.ok) return `RabbitMQ management API at 127.0.0.1:15672 answered HTTP ${response.status}`;
  } catch (error) {
    return `RabbitMQ management API at 127.0.0.1:15672 is not reachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}); run scripts/ensure-services.sh`;
  }
  try {
    const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:5672`, { noDelay: true, timeout: 3_000 });
    await connection.close();
  } catch (error) {
    return `RabbitMQ AMQP at 127.0.0.1:5672 is not reachable (${(error as Error).message})`;
  }
  return undefined;
}

/** An admin call to the management API; returns status and parsed body. */
export async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${ADMIN.base}${path}`, {
    method,
    headers: { authorization: ADMIN.auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Every object on the broker that belongs to `externalName`, one entry each. */
export async function inventory(externalName: string): Promise<string[]> {
  const items: string[] = [];
  const vhost = await admin('GET', `/api/vhosts/${encodeURIComponent(externalName)}`);
  if (vhost.status === 200) items.push(`vhost ${externalName}`);
  const users = (await admin('GET', '/api/users?columns=name')).body as { name: string }[];
  for (const user of users) if (isCredentialName(externalName, user.name)) items.push(`user ${user.name}`);
  return items;
}

/** Opens an AMQP connection with explicit settings; throws if refused. */
export async function openAs(outputs: Record<string, string>, override: { user?: string; password?: string; vhost?: string } = {}) {
  const user = encodeURIComponent(override.user ?? outputs.username ?? '');
  const password = encodeURIComponent(override.password ?? outputs.password ?? '');
  const vhost = encodeURIComponent(override.vhost ?? outputs.vhost ?? '');
  const connection = await amqp.connect(`amqp://${user}:${password}@${outputs.host}:${outputs.port}/${vhost}`, { noDelay: true, timeout: 5_000 });
  connection.on('error', () => {});
  return connection;
}

export function newName(): string {
  return `pv_rmqt_${randomBytes(6).toString('hex')}`;
}

export function context(target: Target, externalName: string, password: string, rotation = 0): DriverContext {
  return {
    instance: { id: externalName, team: 'team-a', name: 'queue', externalName, product: 'amqp', plan: 'small', values: {}, rotation },
    target,
    secrets: { password },
    signal: new AbortController().signal,
    logger: silentLogger,
  };
}

export function rotationContext(target: Target, externalName: string, next: { password: string; rotation: number }, previous: { password: string; rotation: number }): RotationContext {
  return {
    ...context(target, externalName, next.password, next.rotation),
    previousSecrets: { password: previous.password },
    previousRotation: previous.rotation,
  };
}

export function conformanceOptions(skip: string | undefined): DriverConformanceOptions {
  return {
    name: 'rabbitmq (machine broker)',
    createDriver: () => createRabbitmqDriver(),
    target: () => rabbitTarget('conformance'),
    outputs: ['host', 'port', 'vhost', 'username', 'password', 'url'],
    values: { maxConnections: 20, maxQueues: 100 },
    update: { values: { maxConnections: 5 } },
    // A durable queue, a message in it and a read back through the issued URL, as an app would.
    useCredentials: async (outputs) => {
      const connection = await amqp.connect(outputs.url ?? '', { noDelay: true, timeout: 5_000 });
      connection.on('error', () => {});
      try {
        const channel = await connection.createConfirmChannel();
        await channel.assertQueue('notes', { durable: true });
        channel.sendToQueue('notes', Buffer.from('hello'));
        await channel.waitForConfirms();
        const message = await channel.get('notes', { noAck: true });
        if (!message || message.content.toString() !== 'hello') throw new Error('read back something else');
      } finally {
        await connection.close().catch(() => {});
      }
    },
    // Team B's own user, aimed at team A's vhost: refused for lack of permissions.
    crossAccess: async (victim, intruder) => {
      const connection = await openAs(intruder, { vhost: victim.vhost ?? '' });
      await connection.close();
    },
    inventory: async (externalName) => inventory(externalName),
    assertGone: async (externalName) => {
      const left = await inventory(externalName);
      if (left.length > 0) throw new Error(`still on the broker: ${left.join(', ')}`);
    },
    ...(skip ? { skip } : {}),
  };
}
