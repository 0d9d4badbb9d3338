import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@paved/driver-api';
import type { ProductVersion } from '@paved/model';
import type { ClaimedInstance, CreateIntent } from '@paved/store';
import { DEFAULT_BACKOFF } from './backoff.js';
import { systemClock } from './clock.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from './contract-checks.js';
import { intentAtCreate, type RecordedByCreate } from './create-intent.js';
import type { PassDeps } from './pass.js';
import { runPass, type PassEnd } from './run-pass.js';
import { createRolloutLoop } from './rollout-worker.js';
import { LeaseRenewals } from './lease-renewals.js';
import { TargetGate } from './target-gate.js';
import type { Engine, EngineOptions } from './types.js';
import { Wakeup } from './wakeup.js';

export const ENGINE_DEFAULTS = Object.freeze({
  leaseMs: 30_000,
  concurrency: 8,
  driftIntervalMs: 5 * 60_000,
  /**
   * Longest idle sleep. SQLite has no cross-process notification, so a write by another
   * process (the CLI on the same file) is only seen on the next look; PostgreSQL's
   * LISTEN/NOTIFY wakes us at once anyway.
   */
  maxIdleMs: 1_000,
  /** How often a running rollout is looked at: its instances' health and its soak (docs/rollouts.md). */
  rolloutTickMs: 1_000,
  /** Shortest sleep when something is due but could not be claimed (leased by a peer): no busy loop. */
  minIdleMs: 20,
});

/**
 * Product versions never change once published, so a found one is cached for good. The passes
 * that ask for one while it is being read share the read (a first claim of 64 used to read it 64 times).
 * `known`: the cached one, at once (a create's intent, create-intent.ts). `keep`: one read
 * elsewhere (a create's request, NewInstance.productRead), cached as if read here.
 */
function cachedProductLookup(options: EngineOptions): {
  lookup: PassDeps['productVersion'];
  known: (name: string, version: string) => ProductVersion | undefined;
  keep: (found: ProductVersion) => void;
} {
  const read = options.products ?? ((name: string, version: string) => options.store.getProductVersion(name, version));
  const cache = new Map<string, ProductVersion>();
  const reading = new Map<string, Promise<ProductVersion | undefined>>();
  const known = (name: string, version: string) => cache.get(`${name}@${version}`);
  const lookup: PassDeps['productVersion'] = async (name, version) => {
    const key = `${name}@${version}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    let answer = reading.get(key);
    if (answer === undefined) {
      answer = read(name, version).then((found) => {
        if (found !== undefined) cache.set(key, found);
        return found;
      }).finally(() => reading.delete(key));
      reading.set(key, answer);
    }
    return answer;
  };
  const keep = (found: ProductVersion) => {
    const key = `${found.name}@${found.version}`;
    if (!cache.has(key)) cache.set(key, found);
  };
  return { lookup, known, keep };
}

/**
 * The reconcile worker: claims due instances from the store (the queue and the lock), runs one
 * pass per claimed instance, at most `concurrency` at once, and sleeps until woken by a store
 * write or until the earliest due time.
 */
export function createEngine(options: EngineOptions): Engine {
  const leaseMs = options.leaseMs ?? ENGINE_DEFAULTS.leaseMs;
  const concurrency = Math.max(1, options.concurrency ?? ENGINE_DEFAULTS.concurrency);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const products = cachedProductLookup(options);
  const deps: PassDeps = {
    store: options.store,
    secrets: options.secrets,
    drivers: options.drivers,
    targets: options.targets,
    productVersion: products.lookup,
    logger,
    clock,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    driftIntervalMs: options.driftIntervalMs ?? ENGINE_DEFAULTS.driftIntervalMs,
    checkTimeoutMs: options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    random: Math.random,
    ...(options.failpoint === undefined ? {} : { failpoint: options.failpoint }),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    gate: new TargetGate(),
    leases: new LeaseRenewals(clock, Math.max(1, Math.floor(leaseMs / 3))),
    // Only where the commit is another process's work (PostgreSQL): on SQLite it is this thread's
    // own, so there is nothing for the next claim to overlap (bench/README.md §3, round 23).
    ...(options.store.dialect === 'postgres' ? { lastWriteSent: (id: string) => committing(id) } : {}),
  };

  // Rollouts are advanced by the same worker, claimed with leases like instances.
  const rollouts = createRolloutLoop({
    store: options.store, drivers: options.drivers, productVersion: deps.productVersion, clock, logger, workerId, leaseMs,
    tickMs: options.rolloutTickMs ?? ENGINE_DEFAULTS.rolloutTickMs,
    ...(options.failpoint === undefined ? {} : { failpoint: options.failpoint }),
    ...(options.rolloutPolicyCheck === undefined ? {} : { policyCheck: options.rolloutPolicyCheck }),
  });

  const inFlight = new Map<string, Promise<void>>();
  /**
   * Passes in flight that only wait for the commit of their last write (PostgreSQL only). Their
   * slots count as free (`working`): the next claim and the next passes' first writes go out while
   * that commit is in the database, instead of after it. A claim's passes move together through their
   * writes, each kind in one transaction, so without this the worker waited for every commit and
   * the database for the worker's next batch, in turn (bench/README.md §3, round 23). At most
   * `concurrency` passes work at once; up to twice as many hold a lease, the rest until their
   * commit. (A pass whose last write fails and that records the failure still counts as free.)
   */
  const waitingForCommit = new Set<string>();
  const working = () => inFlight.size - waitingForCommit.size;
  function committing(id: string): void {
    if (!inFlight.has(id) || waitingForCommit.has(id)) return;
    waitingForCommit.add(id);
    // Only a loop waiting for a slot is woken: one asleep for want of due work claims nothing more now (quietAfter).
    if (!idleSleep && (!deferring || concurrency - working() >= claimBatch)) wakeup.ring();
  }
  const wakeup = new Wakeup(clock);
  let running = false;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopTaking: (() => void) | undefined;
  /** Slots promised to creates under way (claimOnCreate said yes; the create has not committed yet). */
  let handing = 0;
  /** Per instance a pass holds: changes told on the feed since it started (its own among them). */
  const toldDuringPass = new Map<string, number>();
  /** The claim loop sleeps until its next due time with a slot free (not waiting for one, nor claiming). */
  let idleSleep = false;

  /**
   * `told`: changes of the instance told on the feed before the pass started that the listener
   * will count as made during it (a create's own, which follows its hand-over).
   */
  function launch(claimed: ClaimedInstance, told = 0, recorded?: RecordedByCreate): Promise<void> {
    const id = claimed.instance.id;
    toldDuringPass.set(id, -told);
    let end: PassEnd | undefined;
    const pass = runPass(deps, claimed, leaseMs, recorded)
      .then((ended) => {
        end = ended;
      })
      .finally(() => {
        const told = toldDuringPass.get(id) ?? 0;
        toldDuringPass.delete(id);
        inFlight.delete(id);
        waitingForCommit.delete(id);
        if (end !== undefined && quietAfter(end, told)) return;
        // A free slot, and the instance may have been changed while we held it. While the loop
        // waits for a batch of free slots, only the slot that completes one wakes it: it claims
        // at the end of that wait anyway, and each wake-up made a timer and an AbortController.
        if (!deferring || concurrency - working() >= claimBatch) wakeup.ring();
      });
    inFlight.set(id, pass);
    return pass;
  }

  /**
   * A pass that ended needs no claim when the loop sleeps for want of due work (not of a slot),
   * nothing but the pass itself changed the instance meanwhile, and the pass left it due no
   * sooner than the loop's longest sleep: a claim then finds nothing. After a create that claim
   * was a transaction and a query on the path of the requester's reveal (bench/README.md §1).
   */
  function quietAfter(end: PassEnd, told: number): boolean {
    return idleSleep && end.outcome === 'done' && told <= end.ownChanges
      && end.dueAt !== undefined && end.dueAt >= deps.clock.now() + ENGINE_DEFAULTS.maxIdleMs;
  }

  /**
   * A create of this process hands its new instance over in its own transaction when a slot is
   * free (Store.claimOnCreate): the pass starts at its commit, with no claim of its own waiting
   * for a turn of the store behind the request's other writes. The lease is claimDue's. When the
   * pass would create without observing, the create records its intent too (create-intent.ts):
   * what this worker made for it is kept here until `take` hands it to the pass, in memory only.
   */
  function takeOnCreate(): () => void {
    const made = new WeakMap<CreateIntent, RecordedByCreate>();
    return options.store.claimOnCreate({
      owner: workerId,
      leaseMs,
      wants() {
        if (!running || working() + handing >= concurrency) return false;
        handing++;
        return true;
      },
      intentFor(request) {
        // The version the create was checked against: its first create after a start needs no read either.
        if (request.productRead !== undefined) products.keep(request.productRead);
        const atCreate = intentAtCreate(deps, products.known, request);
        if (atCreate === undefined) return undefined;
        made.set(atCreate.intent, atCreate.recorded);
        return atCreate.intent;
      },
      take(claimed, intent) {
        handing--;
        // Stopped while the create committed: handed back untouched, as the claim loop does (an
        // intent it recorded is then found by a pass that observes first, as after a crash).
        // The create tells its change right after this hand-over: the pass's own, not another's.
        if (running) void launch(claimed, 1, intent === undefined ? undefined : made.get(intent));
        else void options.store.releaseLease(claimed.instance.id, claimed.leaseToken).catch(() => undefined);
      },
      release() {
        handing--;
      },
    });
  }

  async function claim(limit: number): Promise<ClaimedInstance[]> {
    if (limit <= 0) return [];
    return options.store.claimDue({ owner: workerId, leaseMs, limit });
  }

  async function idleDelay(): Promise<number> {
    const next = await options.store.nextDueAt();
    if (next === undefined) return ENGINE_DEFAULTS.maxIdleMs;
    const delay = next - deps.clock.now();
    return Math.min(ENGINE_DEFAULTS.maxIdleMs, Math.max(ENGINE_DEFAULTS.minIdleMs, delay));
  }

  // With a backlog, a slot freed by one pass is not claimed alone: each claim is a transaction
  // and a query of its own, and one or two rows a claim spent more on claiming than a batch
  // does. The loop waits for a batch of free slots, but no longer than minIdleMs, so a few
  // slow passes never keep free slots idle. Below 16 slots a batch is one slot, as before.
  const claimBatch = Math.max(1, Math.floor(concurrency / 8));
  let backlog = false;
  let deferredSince: number | undefined;
  /** The loop is waiting for a batch of free slots (at most until minIdleMs after deferredSince). */
  let deferring = false;

  async function claimLoop(): Promise<void> {
    while (running) {
      try {
        const free = concurrency - working() - handing;
        if (backlog && free > 0 && free < claimBatch) {
          const now = clock.now();
          deferredSince ??= now;
          const waited = now - deferredSince;
          if (waited < ENGINE_DEFAULTS.minIdleMs) {
            deferring = true;
            try {
              await wakeup.wait(ENGINE_DEFAULTS.minIdleMs - waited);
            } finally {
              deferring = false;
            }
            continue;
          }
        }
        deferredSince = undefined;
        const claimed = await claim(free);
        if (free > 0) backlog = claimed.length === free;
        if (!running) {
          // stop() came while we were claiming: hand these back untouched.
          await Promise.all(claimed.map((c) => options.store.releaseLease(c.instance.id, c.leaseToken).catch(() => undefined)));
          break;
        }
        for (const c of claimed) void launch(c);
        if (free > 0 && claimed.length === free) continue; // there may be more due right now
        // All slots busy: a finishing pass rings. Otherwise sleep until the next due time.
        if (free <= claimed.length) {
          await wakeup.wait(ENGINE_DEFAULTS.maxIdleMs);
          continue;
        }
        const delay = await idleDelay();
        idleSleep = true;
        try {
          await wakeup.wait(delay);
        } finally {
          idleSleep = false;
        }
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'claiming due instances failed; retrying');
        await wakeup.wait(ENGINE_DEFAULTS.maxIdleMs);
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = options.store.onInstanceChange((change) => {
        // A change of an instance we hold is counted instead: its pass ends with a wake-up when
        // anything but the pass itself changed it (quietAfter).
        const told = toldDuringPass.get(change.instanceId);
        if (told !== undefined) toldDuringPass.set(change.instanceId, told + 1);
        else if (!inFlight.has(change.instanceId)) wakeup.ring();
      });
      stopTaking = takeOnCreate();
      // The key new secrets are sealed with, looked up before the first claim: a create's intent
      // needs it at once (create-intent.ts), the first create after a start included.
      const keyKnown = options.secrets.knowSealingKey?.() ?? Promise.resolve();
      loop = keyKnown.then(claimLoop);
      rollouts.start();
      logger.info({ workerId, concurrency }, 'engine started');
    },

    async stop() {
      if (!running) return;
      running = false;
      unsubscribe?.();
      unsubscribe = undefined;
      stopTaking?.();
      stopTaking = undefined;
      wakeup.ring();
      await Promise.all([loop, rollouts.stop()]);
      await Promise.all(inFlight.values());
      logger.info({ workerId }, 'engine stopped');
    },

    wake() {
      wakeup.ring();
    },

    runRolloutOnce: () => rollouts.runOnce(),

    async runOnce() {
      const claimed = await claim(concurrency - inFlight.size - handing);
      await Promise.all(claimed.map((c) => launch(c)));
      return claimed.length;
    },
  };
}
