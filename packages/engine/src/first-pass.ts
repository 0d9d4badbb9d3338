import type { Driver } from '@paved/driver-api';
import type { Pass } from './pass.js';

/**
 * Whether this pass may create without observing first: the driver declares that its create
 * may meet an existing resource (Driver.createsUnobserved), and the stored state says no pass
 * has ever touched the instance, so there is nothing of Paved's to find. "Touched", from what the
 * claim read:
 * - a generation applied (observedGeneration > 0);
 * - an intent recorded (pendingAction) or a deletion step started (deletionStep), or deletion asked;
 * - a failed attempt recorded (attempts > 0: its intent was recorded, then cleared by the failure);
 * - a rotation asked for or made;
 * - any secret of the instance stored (generated secrets go with the first intent, credentials
 *   after the first driver call), or not known to be absent (secretsStored undefined).
 * Anything else (a resource made under the same name outside Paved, a lost record) the driver's
 * create meets itself: it converges it, or throws the exists-error and the pass observes.
 * An intent recorded by the instance's own create (create-intent.ts) is known to the one pass that
 * create handed its claim to, in memory (Pass.recordedByCreate): that pass alone creates without
 * observing on it; here, as for any pass that finds it, it counts as touched.
 */
export function createsUnobserved(pass: Pass, driver: Driver): boolean {
  if (driver.createsUnobserved !== true) return false;
  const { instance, claimed } = pass;
  const engine = claimed.engine;
  return instance.observedGeneration === 0
    && !instance.deletionRequested
    && engine.pendingAction === null
    && engine.deletionStep === null
    && engine.attempts === 0
    && engine.rotation === 0
    && engine.desiredRotation === 0
    && claimed.secretsStored === false;
}
