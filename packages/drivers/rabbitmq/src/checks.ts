import { randomBytes } from 'node:crypto';
import { DriverError } from '@paved/model';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { errorLine, withCheckConnection, type CheckSession, type ContractCheck, type Target } from '@paved/driver-api';
import { openSession, refusalKind, sessionTargetOf, type SessionTarget } from './amqp-session.js';
import { ManagementApi } from './management-api.js';
import type { HttpCall } from './http-call.js';
import { readTargetConfig } from './target-config.js';

function failed(check: string, message: string, cause?: unknown): DriverError {
  return new DriverError(`rabbitmq check ${check}: ${message}`, { code: 'check_failed', retryable: false, ...(cause ? { cause } : {}) });
}

/**
 * Runs `work` on an AMQP connection to the tenant's own vhost (the check run's shared one when
 * there is one).
 */
function asTenant<T>(tenant: SessionTarget, check: string, shared: CheckSession | undefined, work: (connection: ChannelModel) => Promise<T>): Promise<T> {
  const connection = {
    key: `rabbitmq:${tenant.username}@${tenant.vhost}`,
    open: () => openSession(tenant, check),
    close: (c: ChannelModel) => c.close(),
  };
  return withCheckConnection(shared, undefined, connection, work);
}

/**
 * Runs `work` on a confirm channel of the tenant's connection. A check run's session keeps the
 * channel connect opened for write-read (opening one is two round trips: open, confirm.select);
 * on its own, a check opens one and closes it. A channel the broker closed (a refused
 * operation) fails the check that used it, and the run stops there.
 */
async function onChannel<T>(tenant: SessionTarget, check: string, shared: CheckSession | undefined, work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  return asTenant(tenant, check, shared, async (connection) => {
    const open = async () => {
      try {
        return await connection.createConfirmChannel();
      } catch (error) {
        throw failed(check, `cannot open a channel on vhost "${tenant.vhost}" as user "${tenant.username}"`, error);
      }
    };
    // Closing the connection closes its channels too; a failed channel is closed already.
    const close = (channel: ConfirmChannel) => void channel.close().catch(() => {});
    if (shared !== undefined) return work(await shared.use(`rabbitmq-channel:${tenant.username}@${tenant.vhost}`, open, close));
    const channel = await open();
    try {
      return await work(channel);
    } finally {
      close(channel);
    }
  });
}

/** Logs in with the issued credentials and opens a channel on the issued vhost. */
export async function checkConnect(outputs: Record<string, string>, shared?: CheckSession): Promise<void> {
  await onChannel(sessionTargetOf(outputs, 'connect'), 'connect', shared, async () => {});
}

/**
 * Publishes a random message to a temporary queue and reads it back. The queue is exclusive, so
 * the broker removes it when the connection closes, also if we crash mid-check; it is named here,
 * not by the broker, so the publish follows its declaration without waiting for the reply (the
 * broker runs one channel's commands in order).
 */
export async function checkWriteRead(outputs: Record<string, string>, shared?: CheckSession): Promise<void> {
  const session = sessionTargetOf(outputs, 'write-read');
  await onChannel(session, 'write-read', shared, async (channel) => {
    const probe = randomBytes(12).toString('hex');
    const queue = `paved-check.${randomBytes(8).toString('hex')}`;
    try {
      const declared = channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
      channel.sendToQueue(queue, Buffer.from(probe));
      // Confirmed = routed into the queue, so the get below cannot race the publish.
      await Promise.all([declared, channel.waitForConfirms()]);
      const message = await channel.get(queue, { noAck: true });
      if (!message) throw failed('write-read', `a message published on vhost "${session.vhost}" could not be read back`);
      if (message.content.toString() !== probe) throw failed('write-read', `the message read back on vhost "${session.vhost}" is not the one written`);
      // No deleteQueue: the queue is exclusive, so the broker removes it when the session's
      // connection closes (in the background, after the run), and its round trip is off the path.
    } catch (error) {
      if (error instanceof DriverError) throw error;
      throw failed('write-read', `publish and get on vhost "${session.vhost}" as user "${session.username}" failed (${errorLine(error, [session.password])})`, error);
    }
  });
}

/**
 * The issued user cannot open another vhost (the default '/' when the broker has it, else any
 * other) and cannot use the management API (which would list every tenant's vhosts and users).
 * The three round trips run at once: '/' is tried while the vhosts are listed, and tried again
 * elsewhere only when the broker has no '/' (a vhost that does not exist is refused too, which
 * proves nothing).
 */
export async function checkIsolation(target: Target, outputs: Record<string, string>, call: HttpCall): Promise<void> {
  const session = sessionTargetOf(outputs, 'isolation');
  const api = new ManagementApi(readTargetConfig(target), call);
  const vhosts = api.listVhosts('isolation').then((listed) => (listed ?? []).map((entry) => entry.name).filter((name) => name !== session.vhost));
  const defaultRefused = expectVhostRefused({ ...session, vhost: '/' }, session.vhost);
  const management = expectManagementRefused(api, session);
  // Every outcome is awaited before the first failure is reported, so none is left unhandled.
  const [others, onDefault, onManagement] = await Promise.allSettled([vhosts, defaultRefused, management]);
  if (others.status === 'rejected') throw others.reason;
  const other = others.value.includes('/') ? '/' : others.value[0];
  if (other === undefined || other === '/') {
    if (onDefault.status === 'rejected') throw onDefault.reason;
  } else {
    await expectVhostRefused({ ...session, vhost: other }, session.vhost);
  }
  if (onManagement.status === 'rejected') throw onManagement.reason;
}

async function expectManagementRefused(api: ManagementApi, session: SessionTarget): Promise<void> {
  let status: number;
  try {
    ({ status } = await api.call({
      method: 'GET',
      url: `${api.config.managementUrl}/api/whoami`,
      headers: { authorization: `Basic ${Buffer.from(`${session.username}:${session.password}`).toString('base64')}` },
      timeoutMs: 10_000,
    }));
  } catch (error) {
    throw new DriverError(`rabbitmq check isolation: cannot reach the management API at ${api.config.managementUrl}`, { cause: error, code: 'rabbitmq_unreachable', retryable: true });
  }
  if (status >= 200 && status < 300) throw failed('isolation', `user "${session.username}" can use the management API (it must have no tags)`);
}

async function expectVhostRefused(elsewhere: SessionTarget, own: string): Promise<void> {
  let connection;
  try {
    connection = await openSession(elsewhere, 'isolation');
  } catch (error) {
    const kind = refusalKind((error as DriverError).cause ?? error);
    if (kind === 'vhost-refused') return;
    // A failed login or an unreachable broker proves nothing about isolation.
    throw failed('isolation', `could not test vhost "${elsewhere.vhost}": ${(error as Error).message.replace(/^rabbitmq check isolation: /, '')}`, error);
  }
  await connection.close().catch(() => {});
  throw failed('isolation', `user "${elsewhere.username}" could open vhost "${elsewhere.vhost}" outside its own "${own}"`);
}

/** The contract checks a product can list in `spec.checks`. */
export function contractChecks(call: HttpCall): ContractCheck[] {
  return [
    { name: 'connect', description: 'Log in over AMQP with the issued credentials and open a channel on the vhost.', run: ({ outputs, session }) => checkConnect(outputs, session) },
    {
      name: 'write-read',
      description: 'Publish a message to a temporary queue on the vhost and read it back.',
      run: ({ outputs, session }) => checkWriteRead(outputs, session),
    },
    {
      name: 'isolation',
      description: 'The issued user cannot open another vhost and cannot use the management API.',
      run: ({ target, outputs }) => checkIsolation(target, outputs, call),
    },
  ];
}
