/**
 * Contract checks of a dedicated server, with the issued credentials, as an application uses
 * them: no prefix, the whole server. Isolation here means the server is the tenant's alone and
 * cannot be turned against the host: it refuses a client without the password, and refuses the
 * tenant what reaches past the server (its configuration, users, modules, replication, MIGRATE).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { DriverError } from '@paved/model';
import type { CheckSession } from '@paved/driver-api';
import { withTenant, type TenantOutputs } from '../tenant-client.js';

function failed(check: string, message: string): DriverError {
  return new DriverError(`redis ${check}: ${message}`, { code: 'check_failed', retryable: true });
}

/** SET then GET of a fresh key (no prefix: the server is the instance's), removed afterwards. */
export async function checkServerWriteRead(outputs: TenantOutputs, signal?: AbortSignal, session?: CheckSession): Promise<void> {
  await withTenant(outputs, 'write-read', async (redis) => {
    const key = `paved-check:${randomBytes(6).toString('hex')}`;
    const value = randomBytes(8).toString('hex');
    try {
      const [, read] = await Promise.all([redis.set(key, value, 'PX', 60_000), redis.get(key)]);
      if (read !== value) throw failed('write-read', `user "${outputs.username}" read back something else from "${key}"`);
    } finally {
      await redis.unlink(key).catch(() => {});
    }
  }, signal, session);
}

/** Commands the tenant must be refused; each is harmless should it wrongly run (same value, no such host). */
const REFUSED: readonly [string, string[]][] = [
  ['change the configuration (CONFIG SET)', ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']],
  ['manage users (ACL)', ['ACL', 'WHOAMI']],
  ['load modules (MODULE)', ['MODULE', 'LIST']],
  ['replicate from another server (REPLICAOF)', ['REPLICAOF', 'NO', 'ONE']],
  ['connect to other hosts (MIGRATE)', ['MIGRATE', '127.0.0.1', '1', 'paved-probe', '0', '1']],
];

export async function checkServerIsolation(outputs: TenantOutputs, signal?: AbortSignal, session?: CheckSession): Promise<void> {
  await withTenant(outputs, 'isolation', async (redis) => {
    const outcomes = await Promise.all(REFUSED.map(([, command]) => redis.call(command[0]!, ...command.slice(1)).then(
      () => false,
      (error: Error) => /NOPERM|no permissions/i.test(error.message),
    )));
    const allowed = REFUSED.find((_, index) => !outcomes[index]);
    if (allowed) throw failed('isolation', `user "${outputs.username}" could ${allowed[0]} on its server`);
  }, signal, session);
  signal?.throwIfAborted();
  // A client that does not log in gets nothing: one command on a bare socket, as any client
  // would send it first (a client library's own hello on connect would muddle the answer).
  const answer = await anonymousAnswer(outputs.host, Number(outputs.port));
  if (!answer.startsWith('-NOAUTH')) {
    throw failed('isolation', `the server on ${outputs.host}:${outputs.port} answered "${answer.slice(0, 60)}" to a client that sent no password`);
  }
}

/** The first line a server answers to `PING` from a client that did not authenticate. */
function anonymousAnswer(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 5_000 });
    let reply = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0]!);
      }
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within 5 s`));
    });
    socket.once('error', reject);
  });
}
