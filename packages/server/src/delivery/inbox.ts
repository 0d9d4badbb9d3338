import type { DeliveryRules, Store } from '@paved/store';

/**
 * The drainer of the webhook inbox (docs/metrics/dora.md "Ingestion"). A webhook delivery is
 * answered 202 once its facts are durably in the store's inbox; this applies them afterwards, in
 * large batches, with the same idempotent logic as a delivery recorded at once. Every API
 * process runs one: on PostgreSQL they share the work (rows are claimed with SKIP LOCKED), and
 * one that starts picks up what a crashed one left.
 *
 * Applying yields to receiving: while deliveries are being received, the drainer takes at most
 * a fifth of the process's time (a pause of four times each batch's duration), so a burst is
 * acknowledged at nearly the rate signatures can be checked and is applied behind it. Readers
 * of delivery facts call `settle()` first: it applies everything accepted before it was called
 * (read-your-writes), so a metric never depends on the drainer's timing.
 */
export interface DeliveryInboxOptions {
  store: Pick<Store, 'applyQueuedDeliveries' | 'deliveryInboxDepth'>;
  rules: DeliveryRules;
  /** Deliveries per transaction. */
  batch?: number;
  /** How often to look for deliveries another process accepted or left behind (ms); 0: never. */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

const BATCH = 200;
/** While receiving, pause this many times a batch's duration after it: the drainer's share is 1 / (1 + BUSY_PAUSE). */
const BUSY_PAUSE = 4;
const POLL_MS = 5_000;
/** A settle waiting for rows another process holds looks again after this long. */
const SETTLE_RETRY_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DeliveryInbox {
  #receiving = 0;
  #running: Promise<void> | undefined;
  /** Kicked while the loop ran: it looks once more before it ends, so a delivery queued as it ended is not left for the poll. */
  #again = false;
  /** Drain passes run one at a time in this process (the background loop and settles). */
  #turn: Promise<unknown> = Promise.resolve();
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeliveryInboxOptions) {}

  /** Starts draining what waits (left by a stop or a crash), and looks again every pollMs. */
  start(): void {
    this.#stopped = false;
    const pollMs = this.options.pollMs ?? POLL_MS;
    if (pollMs > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => this.kick(), pollMs);
      this.#timer.unref();
    }
    this.kick();
  }

  /** Stops the loop after the batch under way. Waiting deliveries stay in the inbox. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#turn.catch(() => undefined);
  }

  /** A delivery is being received (until `done` is called): meanwhile the drainer pauses longer between batches. */
  receiving(): () => void {
    this.#receiving++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#receiving--;
    };
  }

  /** Something was queued: make sure the loop runs. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => { this.#running = undefined; });
  }

  /** Applies every delivery accepted (by any process) before this call; returns once none of them waits. */
  async settle(): Promise<void> {
    const { lastWaiting: mark } = await this.options.store.deliveryInboxDepth();
    if (mark === null) return;
    for (;;) {
      const drained = await this.#pass(mark);
      this.#reportFailed(drained.failed);
      // Requests that arrived meanwhile are answered between batches (a SQLite transaction holds the event loop).
      await new Promise((resolve) => setImmediate(resolve));
      if (drained.applied + drained.failed > 0) continue;
      const { oldestWaiting } = await this.options.store.deliveryInboxDepth();
      if (oldestWaiting === null || oldestWaiting > mark) return;
      // Rows up to the mark are held by another process applying them: look again after its commit.
      await sleep(SETTLE_RETRY_MS);
    }
  }

  #reportFailed(failed: number): void {
    if (failed > 0) this.options.onError?.(new Error(`${failed} queued webhook deliveries could not be applied; each keeps its error in delivery_inbox.error`));
  }

  #pass(upTo?: number) {
    const limit = this.options.batch ?? BATCH;
    const run = this.#turn.catch(() => undefined)
      .then(() => this.options.store.applyQueuedDeliveries(this.options.rules, { limit, ...(upTo === undefined ? {} : { upTo }) }));
    this.#turn = run;
    return run;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#again = false;
      const started = performance.now();
      let drained;
      try {
        drained = await this.#pass();
      } catch (error) {
        this.options.onError?.(error);
        return;
      }
      if (drained.applied + drained.failed === 0) {
        if (this.#again) continue;
        return;
      }
      this.#reportFailed(drained.failed);
      const took = performance.now() - started;
      // Let the requests that arrived meanwhile run first; while deliveries keep arriving, pause longer.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#receiving > 0) await sleep(Math.min(1_000, took * BUSY_PAUSE));
    }
  }
}
