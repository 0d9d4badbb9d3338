import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorLine, withCheckConnection, type CheckSession, type ContractCheck, type Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { jwtAuthenticator, openConnection, type ConnectOptions } from './connections.js';
import { parseCreds } from './jwt.js';
import { nkeyFromSeed } from './nkey.js';
import { natsJetStream } from './nats-client.js';
import { jsm } from './stream.js';
import { readTargetConfig } from './target-config.js';

type Outputs = Record<string, string>;

/** Connection options a tenant's application would use: the issued url and, in operator mode, its .creds. */
export function tenantConnectOptions(outputs: Outputs): ConnectOptions {
  const { url, creds } = outputs;
  if (!url) throw checkFailed('outputs have no url');
  const parsed = new URL(url);
  const servers = `${parsed.hostname}:${parsed.port || '4222'}`;
  if (!creds) return { servers, name: 'paved-check' };
  const { jwt, seed } = parseCreds(creds);
  return { servers, name: 'paved-check', authenticator: jwtAuthenticator(jwt, nkeyFromSeed(seed)) };
}

function checkFailed(message: string, cause?: unknown): DriverError {
  return new DriverError(`nats: ${message}`, { code: 'check_failed', retryable: true, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Runs `work` on a connection with the issued credentials (the check run's shared one when there
 * is one). What goes wrong in it fails the check, in one line naming the stream.
 */
async function asTenant<T>(outputs: Outputs, what: string, work: (nc: NatsConnection) => Promise<T>, session?: CheckSession): Promise<T> {
  let options: ConnectOptions;
  try {
    options = tenantConnectOptions(outputs);
  } catch (error) {
    throw error instanceof DriverError ? error : checkFailed(`${what}: the issued credentials cannot be read`);
  }
  const connection = {
    key: `nats:${credentialKey(outputs)}@${options.servers}`,
    open: () => openConnection(options),
    close: (nc: NatsConnection) => nc.close(),
  };
  try {
    return await withCheckConnection(session, undefined, connection, work);
  } catch (error) {
    if (error instanceof DriverError) throw error;
    throw checkFailed(`${what}: ${errorLine(error)} (stream "${outputs.stream ?? '?'}")`, error);
  }
}

/** Who the outputs log in as: the user key of the .creds (operator mode), else nobody in particular (shared mode). */
function credentialKey(outputs: Outputs): string {
  return outputs.creds ? nkeyFromSeed(parseCreds(outputs.creds).seed).publicKey : 'anonymous';
}

export async function checkConnect(outputs: Outputs, session?: CheckSession): Promise<void> {
  await asTenant(outputs, 'cannot connect with the issued credentials', (nc) => nc.flush(), session);
}

/** Publishes one acknowledged message into the stream, reads it back by sequence, then deletes it. */
export async function checkWriteRead(outputs: Outputs, session?: CheckSession): Promise<void> {
  const stream = outputs.stream ?? '';
  const prefix = (outputs.subjects ?? '').replace(/>$/, '');
  await asTenant(outputs, 'write then read through the stream failed', async (nc) => {
    const probe = randomBytes(8).toString('hex');
    const ack = await natsJetStream().jetstream(nc).publish(`${prefix}paved-check.${probe}`, probe);
    if (ack.stream !== stream) throw checkFailed(`write landed in stream "${ack.stream}", not "${stream}"`);
    const manager = await jsm(nc);
    const stored = await manager.streams.getMessage(stream, { seq: ack.seq });
    const matches = stored?.string() === probe;
    await manager.streams.deleteMessage(stream, ack.seq, false);
    if (!matches) throw checkFailed(`read back something else than was written to stream "${stream}"`);
  }, session);
}

/** Resolves when the server refused `subject` to this connection; throws if anything else happened. */
async function expectRefused(nc: NatsConnection, subject: string, what: string): Promise<void> {
  try {
    // noMux: only a dedicated reply subscription receives the server's permission error.
    await nc.request(subject, new Uint8Array(), { timeout: 2_000, noMux: true });
  } catch (error) {
    if (/permission/i.test(errorLine(error))) return;
    throw checkFailed(`isolation not proven: ${what} was not refused (${errorLine(error)})`);
  }
  throw checkFailed(`isolation broken: ${what} was answered`);
}

/**
 * Operator mode: the credentials may not publish outside the instance's subjects, nor call the
 * JetStream API to create a stream (which would escape the plan's limits). Shared mode gives no
 * isolation at all, and the check says so instead of pretending.
 */
export async function checkIsolation(target: Target, outputs: Outputs, session?: CheckSession): Promise<void> {
  if (readTargetConfig(target).mode === 'shared') {
    throw checkFailed(`isolation does not hold on shared-mode target "${target.name}": any client of the server can read and write stream "${outputs.stream ?? '?'}"; use an operator-mode target`);
  }
  const outside = `paved_isolation_probe.${randomBytes(4).toString('hex')}`;
  await asTenant(outputs, 'isolation check could not run', async (nc) => {
    await expectRefused(nc, outside, `publishing to "${outside}" (outside ${outputs.subjects ?? '?'})`);
    await expectRefused(nc, `$JS.API.STREAM.CREATE.${outputs.stream ?? 'x'}_extra`, 'creating another stream');
  }, session);
}

export const checks: readonly ContractCheck[] = [
  { name: 'connect', description: 'Connects to the server with the issued url and credentials.', run: ({ outputs, session }) => checkConnect(outputs, session) },
  { name: 'write-read', description: 'Publishes a message to the stream, reads it back by sequence and deletes it.', run: ({ outputs, session }) => checkWriteRead(outputs, session) },
  {
    name: 'isolation',
    description: 'The credentials cannot publish outside their subjects nor create streams (operator mode); fails on shared-mode targets, which give no isolation.',
    run: ({ target, outputs, session }) => checkIsolation(target, outputs, session),
  },
];
