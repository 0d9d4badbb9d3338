import { createRequire } from 'node:module';
import type Amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { DriverError } from '@paved/model';
import { amqpUrl } from './outputs.js';

const require = createRequire(import.meta.url);
let amqplib: typeof Amqp | undefined;

/**
 * amqplib, loaded when the first AMQP session opens: every Paved loads this driver, most never
 * reach a RabbitMQ target, and the library is 250 KB of source held by every idle `paved up`
 * (bench/footprint.mjs). The management API (plain HTTP) does the provisioning; AMQP sessions
 * are the contract checks'.
 */
const amqp = (): typeof Amqp => (amqplib ??= require('amqplib') as typeof Amqp);

/** Who a session logs in as, and where. */
export interface SessionTarget {
  scheme: string;
  host: string;
  port: string | number;
  vhost: string;
  username: string;
  password: string;
}

/** Outputs as issued, read into a SessionTarget; the url wins over host/port when present. */
export function sessionTargetOf(outputs: Record<string, string>, check: string): SessionTarget {
  const { host, port, vhost, username, password, url } = outputs;
  if (!host || !port || vhost === undefined || !username || !password) {
    throw new DriverError(`rabbitmq check ${check}: needs host, port, vhost, username and password outputs`, {
      code: 'outputs_missing',
      retryable: false,
      issues: [{ path: 'outputs', message: 'host, port, vhost, username and password are required' }],
    });
  }
  const scheme = url?.startsWith('amqps:') ? 'amqps' : 'amqp';
  return { scheme, host, port, vhost, username, password };
}

/**
 * Opens an AMQP connection. `noDelay: true` is not optional: amqplib leaves Nagle on, and each
 * handshake round trip then stalls ~40 ms on delayed ACKs (connect 46 ms instead of 4,
 * docs/drivers/rabbitmq.md). Failures become one-line DriverErrors in words, because amqplib
 * reports a refused vhost only as "Expected ConnectionOpenOk; got <ConnectionClose…>".
 */
export async function openSession(target: SessionTarget, check: string): Promise<ChannelModel> {
  const url = amqpUrl(target.scheme, target.host, target.port, target.vhost, target.username, target.password);
  let connection: ChannelModel;
  try {
    connection = await amqp().connect(url, { noDelay: true, timeout: 5_000 });
  } catch (error) {
    throw sessionError(error, target, check);
  }
  // A broker-side close (user deleted, vhost deleted) arrives as 'error'; unhandled, it would crash us.
  connection.on('error', () => {});
  return connection;
}

export type RefusalKind = 'vhost-refused' | 'login-refused' | 'unreachable' | 'other';

export function refusalKind(error: unknown): RefusalKind {
  const err = error as { message?: string; code?: string };
  const message = err.message ?? '';
  if (/Expected ConnectionOpenOk/i.test(message) || /NOT_ALLOWED|access to vhost/i.test(message)) return 'vhost-refused';
  if (/ACCESS[-_]REFUSED|403/.test(message)) return 'login-refused';
  if (['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET'].includes(err.code ?? '') || /timeout/i.test(message)) return 'unreachable';
  return 'other';
}

export function sessionError(error: unknown, target: SessionTarget, check: string): DriverError {
  const kind = refusalKind(error);
  const who = `user "${target.username}"`;
  const where = `vhost "${target.vhost}"`;
  const reasons: Record<RefusalKind, string> = {
    'vhost-refused': `access to ${where} refused for ${who} (no permissions on it)`,
    'login-refused': `login refused for ${who} (wrong password, or the user was removed)`,
    unreachable: `cannot reach ${target.host}:${target.port} (${(error as { code?: string }).code ?? 'timeout'})`,
    // Our own words only: amqplib's messages may quote the URL.
    other: `cannot open ${where} as ${who} (${(error as Error).name ?? 'Error'})`,
  };
  return new DriverError(`rabbitmq check ${check}: ${reasons[kind]}`, {
    cause: error,
    code: kind === 'unreachable' ? 'rabbitmq_unreachable' : 'check_failed',
    retryable: kind === 'unreachable',
  });
}
