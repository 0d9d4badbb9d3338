import type { ClaimedInstance } from '@paved/store';
import { reconcileWithDriver, type Progress } from './apply.js';
import { compositeProduct, reconcileComposite } from './composite.js';
import type { RecordedByCreate } from './create-intent.js';
import { isInterruption, LeaseLost, SimulatedCrash } from './interruptions.js';
import { LeaseKeeper } from './lease-keeper.js';
import { observe, Pass, resolveFor, supportOf, type PassDeps } from './pass.js';
import type { PassResult } from './types.js';

export type PassOutcome = 'done' | 'crashed' | 'lost-lease' | 'store-error';

/** How a pass ended, for the claim loop (engine.ts): whether the instance may need a pass again soon. */
export interface PassEnd {
  outcome: PassOutcome;
  /** The pass's writes told on the change feed (Pass.ownChanges). */
  ownChanges: number;
  /**
   * When the pass made the instance due next, if its last write set that and ended the lease
   * (recordLast), or never (Infinity) when it forgot the instance; undefined when it left that
   * to others (the release, a lease that lapses).
   */
  dueAt?: number;
}

/**
 * Runs one pass over a claimed instance and always leaves the lease in a sane state: released
 * after a normal end (success or recorded failure), left to expire after a simulated crash
 * (as a dead process would), untouched when another worker owns it. `recorded`: the create that
 * handed the claim over recorded the first intent (create-intent.ts).
 */
export async function runPass(deps: PassDeps, claimed: ClaimedInstance, leaseMs: number, recorded?: RecordedByCreate): Promise<PassEnd> {
  const { id } = claimed.instance;
  const lease = new LeaseKeeper(deps.store, id, claimed.leaseToken, leaseMs, deps.logger, deps.leases);
  const pass = new Pass(deps, claimed, lease, recorded);
  const started = deps.clock.now();
  let release = true;
  let outcome: PassOutcome = 'done';
  const end = (): PassEnd => {
    // A forgotten instance is never due again: its row is gone.
    const dueAt = outcome !== 'done' ? undefined : pass.forgotten ? Number.POSITIVE_INFINITY : pass.released ? pass.lastWrite?.engine.dueAt : undefined;
    return { outcome, ownChanges: pass.ownChanges, ...(dueAt === undefined ? {} : { dueAt }) };
  };
  try {
    await reconcileOrRecordFailure(pass);
    return end();
  } catch (error) {
    if (error instanceof SimulatedCrash) {
      release = false;
      deps.logger.warn({ instanceId: id, point: error.point }, 'simulated crash: pass dropped without writing');
      outcome = 'crashed';
    } else if (error instanceof LeaseLost) {
      release = false;
      deps.logger.warn({ instanceId: id }, 'lease lost: pass dropped without writing');
      outcome = 'lost-lease';
    } else {
      // The failure could not be recorded (the store is down): the lease lapses and the
      // instance is retried when the store is back.
      deps.logger.error({ instanceId: id, err: error instanceof Error ? error.message : String(error) }, 'could not record the reconcile result');
      outcome = 'store-error';
    }
    return end();
  } finally {
    lease.stop();
    observe(deps, (observer) => observer.passEnded({ product: claimed.instance.product, result: resultOf(pass, outcome), durationMs: deps.clock.now() - started }));
    if (release && !lease.lost && !pass.forgotten && !pass.released) {
      await deps.store.releaseLease(id, claimed.leaseToken).catch((error: unknown) => {
        deps.logger.warn({ instanceId: id, err: error instanceof Error ? error.message : String(error) }, 'could not release the lease; it will expire');
      });
    }
  }
}

async function reconcileOrRecordFailure(pass: Pass): Promise<void> {
  const progress: Progress = { stage: 'prepare' };
  let support = supportOf(undefined);
  try {
    // Composite products have no driver: the engine reconciles their parts itself.
    const composite = await compositeProduct(pass);
    if (composite !== undefined) {
      support = supportOf(composite);
      return await reconcileComposite(pass, composite, progress);
    }
    const resolved = await resolveFor(pass);
    if ('missing' in resolved) return await pass.recordMissing(resolved.missing, resolved.message);
    support = supportOf(resolved.product);
    await reconcileWithDriver(pass, resolved, progress);
  } catch (error) {
    if (isInterruption(error)) throw error;
    await pass.recordFailure(progress.stage, error, support, progress.step);
  }
}

/** What the pass left the instance as, from the last status it wrote. */
function resultOf(pass: Pass, outcome: PassOutcome): PassResult {
  if (outcome !== 'done') return outcome;
  if (pass.forgotten) return 'deleted';
  const write = pass.lastWrite;
  if (write === undefined) return 'progressing';
  if (write.status.phase === 'Failed') return 'failed';
  if ((write.engine.attempts ?? 0) > 0) return 'retrying';
  return write.status.phase === 'Ready' ? 'ready' : 'progressing';
}
