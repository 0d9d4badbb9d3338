import type { JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { DriverError } from '@paved/model';
import { natsJetStream } from './nats-client.js';
import type { StreamValues } from './values.js';

const NANOS = 1_000_000_000;

/** The instance's stream: named like the instance, capturing every subject under its prefix. */
export function streamConfig(externalName: string, values: StreamValues): Partial<StreamConfig> & { name: string } {
  return {
    name: externalName,
    subjects: [subjectsOf(externalName)],
    max_bytes: values.maxBytes,
    max_msgs: values.maxMessages,
    max_age: values.maxAgeSeconds * NANOS,
    max_msg_size: values.maxMessageSize,
    storage: values.storage as StreamConfig['storage'],
    num_replicas: 1,
    discard: 'old' as StreamConfig['discard'],
    allow_direct: true,
  };
}

/** The subject space of an instance: `<externalName>.>`. Unique per instance, so streams never overlap. */
export function subjectsOf(externalName: string): string {
  return `${externalName}.>`;
}

export function jsm(nc: NatsConnection): Promise<JetStreamManager> {
  return natsJetStream().jetstreamManager(nc, { timeout: 5_000 });
}

export function isStreamMissing(error: unknown): boolean {
  const e = error as { name?: string; code?: number; message?: string };
  return e?.name === 'StreamNotFoundError' || /stream not found/i.test(e?.message ?? '');
}

export async function streamInfo(manager: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await manager.streams.info(name);
  } catch (error) {
    if (isStreamMissing(error)) return undefined;
    throw error;
  }
}

/** Creates the stream, or brings an existing one to the wanted limits. Idempotent. */
export async function ensureStream(manager: JetStreamManager, wanted: ReturnType<typeof streamConfig>): Promise<void> {
  const existing = await streamInfo(manager, wanted.name);
  if (!existing) {
    await manager.streams.add(wanted);
    return;
  }
  if (existing.config.storage !== wanted.storage) {
    throw new DriverError(`nats: stream "${wanted.name}" keeps its messages in ${existing.config.storage} storage and cannot move to ${String(wanted.storage)}; delete the instance and create it again`, {
      code: 'storage_immutable',
      retryable: false,
      issues: [{ path: 'values.storage', message: 'cannot change after creation' }],
    });
  }
  if (streamDiff(existing.config, wanted).length > 0) await manager.streams.update(wanted.name, wanted);
}

export async function deleteStream(manager: JetStreamManager, name: string): Promise<void> {
  try {
    await manager.streams.delete(name);
  } catch (error) {
    if (!isStreamMissing(error)) throw error;
  }
}

export function streamDiff(actual: StreamConfig, wanted: ReturnType<typeof streamConfig>): string[] {
  const diff: string[] = [];
  const fields = ['max_bytes', 'max_msgs', 'max_age', 'max_msg_size', 'storage'] as const;
  for (const field of fields) {
    if (actual[field] !== wanted[field]) diff.push(`stream ${field} is ${String(actual[field])}, want ${String(wanted[field])}`);
  }
  if ((actual.subjects ?? []).join(',') !== (wanted.subjects ?? []).join(',')) diff.push(`stream subjects are ${(actual.subjects ?? []).join(',')}, want ${(wanted.subjects ?? []).join(',')}`);
  return diff;
}
