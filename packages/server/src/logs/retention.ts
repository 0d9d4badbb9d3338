import type { Instance, ProductManifest } from '@paved/model';
import type { Logger } from '@paved/driver-api';
import type { LogStreamRef, Store } from '@paved/store';
import { durationMs, MAX_DURATION_MS } from './since.js';

/** Retention of a stream whose service has no `logs` instance in that environment (or whose value is unreadable). */
export const DEFAULT_LOG_RETENTION_MS = 7 * 86_400_000;
/** How often the server prunes; it also prunes once at start. */
export const LOG_PRUNE_INTERVAL_MS = 10 * 60_000;
export const LOGS_PRODUCT = 'logs';

export interface PruneResult {
  /** Lines deleted. */
  deleted: number;
  /** Streams looked at. */
  streams: number;
}

const keyOf = (ref: LogStreamRef) => JSON.stringify([ref.teamId, ref.service, ref.environment]);

/** The stream a `logs` instance stands for: the workload's service and environment, else its own inputs. */
function streamOf(instance: Instance): LogStreamRef | undefined {
  const service = instance.workload?.service ?? instance.inputs.service;
  const environment = instance.workload?.environment ?? instance.inputs.environment;
  if (typeof service !== 'string' || typeof environment !== 'string') return undefined;
  return { teamId: instance.teamId, service, environment };
}

/** Every `logs` instance's retention in ms by stream: its own `retention` input, else its plan's. */
async function retentionByStream(store: Store): Promise<Map<string, number>> {
  const manifests = new Map<string, ProductManifest | undefined>();
  const result = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await store.listInstances({ product: LOGS_PRODUCT, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const instance of page.items) {
      const ref = streamOf(instance);
      if (!ref) continue;
      if (!manifests.has(instance.productVersion)) {
        manifests.set(instance.productVersion, (await store.getProductVersion(LOGS_PRODUCT, instance.productVersion))?.manifest);
      }
      const planValue = manifests.get(instance.productVersion)?.spec.plans[instance.plan]?.values?.retention;
      const value = instance.inputs.retention ?? planValue;
      // A retention past the longest duration keeps lines as long as any: clamp, do not overflow Date.
      const parsed = typeof value === 'string' ? durationMs(value) : undefined;
      const ms = parsed === undefined ? undefined : Math.min(parsed, MAX_DURATION_MS);
      // Two instances for one stream (should not happen): keep the longer, never lose lines early.
      if (ms !== undefined) result.set(keyOf(ref), Math.max(ms, result.get(keyOf(ref)) ?? 0));
    }
    cursor = page.nextCursor;
  } while (cursor);
  return result;
}

/**
 * Deletes, in every stream, the lines older than that stream's retention. One indexed delete
 * per stream (index on team, service, environment, at); streams are few next to their lines.
 */
export async function pruneExpiredLogs(input: { store: Store; now: number }): Promise<PruneResult> {
  const { store, now } = input;
  const retention = await retentionByStream(store);
  const streams = await store.listLogStreams();
  let deleted = 0;
  for (const ref of streams) {
    const keepMs = retention.get(keyOf(ref)) ?? DEFAULT_LOG_RETENTION_MS;
    deleted += await store.pruneLogLines({ ...ref, olderThan: new Date(now - keepMs).toISOString() });
  }
  return { deleted, streams: streams.length };
}

/**
 * Runs pruneExpiredLogs now and every `intervalMs` in the API process. Several API processes
 * on one database may prune at the same time: deletes by age are idempotent, so that is only
 * wasted work. Returns stop, which waits for a run in progress.
 */
export function startLogRetention(input: { store: Store; logger: Logger; intervalMs?: number; now?: () => number }): () => Promise<void> {
  const { store, logger } = input;
  const now = input.now ?? Date.now;
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = pruneExpiredLogs({ store, now: now() })
      .then((result) => {
        if (result.deleted > 0) logger.info({ deleted: result.deleted, streams: result.streams }, 'pruned expired log lines');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'log retention: pruning failed; will retry at the next run'))
      .finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, input.intervalMs ?? LOG_PRUNE_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
