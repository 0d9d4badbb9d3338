/**
 * Two ways a pass ends without writing anything more. Both are internal to the engine: they
 * never reach a status, and the pass that meets one leaves the instance exactly as the last
 * successful write left it, to be resumed by whoever claims it next.
 */

/** A failpoint fired: the test is simulating a crash of the process at this point. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor(readonly point: string, options?: { cause?: unknown }) {
    super(`simulated crash at ${point}`, options);
  }
}

/** Another worker owns the instance now (our lease expired): anything we wrote would be a guess. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
  constructor(readonly instanceId: string) {
    super(`lease on instance ${instanceId} was lost`);
  }
}

export function isInterruption(error: unknown): error is SimulatedCrash | LeaseLost {
  return error instanceof SimulatedCrash || error instanceof LeaseLost;
}
