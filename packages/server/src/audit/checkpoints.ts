import type { Logger } from '@paved/driver-api';
import type { AuditChain } from './chain.js';

/** How often the API process signs a checkpoint of the audit chain's head (when it moved). */
export const AUDIT_CHECKPOINT_INTERVAL_MS = 10 * 60_000;

/**
 * Signs and stores a checkpoint of the audit chain's head at start, every `intervalMs`, and when
 * stopped (docs/audit.md "Checkpoints"): a tail of records cut off later is then behind a
 * checkpoint and shows in `paved audit verify`. Several API processes may do this at once; a
 * head already checkpointed is skipped. Returns stop, which signs a last one.
 */
export function startAuditCheckpoints(input: { chain: AuditChain; logger: Logger; intervalMs?: number }): () => Promise<void> {
  const { chain, logger } = input;
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= chain.checkpoint()
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ err: error }, 'audit checkpoint not written; will retry at the next run'))
      .finally(() => (running = undefined));
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), input.intervalMs ?? AUDIT_CHECKPOINT_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await run();
  };
}
