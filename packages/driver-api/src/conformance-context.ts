import { randomBytes, randomUUID } from 'node:crypto';
import { silentLogger, type Driver, type DriverContext, type Target } from './index.js';

/** A unique external name in the same grammar as real ones ([a-z0-9_], well under 63). */
export function conformanceName(): string {
  return `pv_conf_${randomBytes(6).toString('hex')}`;
}

/** Secret values the way the engine makes them: lowercase hex of `bytes` random bytes. */
export function generateSecrets(driver: Driver): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [key, spec] of Object.entries(driver.secrets)) secrets[key] = randomBytes(spec.bytes).toString('hex');
  return secrets;
}

/** Everything that identifies one instance across calls: the same seed means the same resource. */
export interface InstanceSeed {
  externalName: string;
  team: string;
  secrets: Record<string, string>;
  values: Record<string, unknown>;
}

export function newSeed(driver: Driver, team: string, values: Record<string, unknown>): InstanceSeed {
  return { externalName: conformanceName(), team, secrets: generateSecrets(driver), values: { ...values } };
}

export function buildContext(target: Target, seed: InstanceSeed, signal: AbortSignal = new AbortController().signal): DriverContext {
  return {
    instance: {
      id: randomUUID(),
      team: seed.team,
      name: seed.externalName.replace(/_/g, '-'),
      externalName: seed.externalName,
      product: 'conformance',
      plan: 'default',
      values: { ...seed.values },
    },
    target,
    secrets: { ...seed.secrets },
    signal,
    logger: silentLogger,
  };
}

/** The reason a simulated crash aborts with, so tests can tell it from a real failure. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor() {
    super('conformance: simulated crash part-way through');
  }
}

export interface InterruptingSignal {
  signal: AbortSignal;
  /** True once the signal aborted, i.e. the driver looked at it more than `allowedChecks` times. */
  interrupted(): boolean;
}

/**
 * A signal that aborts at the driver's (allowedChecks+1)-th look at it. Drivers check their
 * signal between steps (`throwIfAborted()` or `aborted`), so allowedChecks = k stops a create
 * right after its k-th step: the same state a process crash there would leave behind.
 */
export function interruptingSignal(allowedChecks: number): InterruptingSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;
  if (!abortedGetter) throw new Error('AbortSignal.prototype.aborted has no getter');
  let checks = 0;
  const tick = () => {
    checks += 1;
    if (checks > allowedChecks && !abortedGetter.call(signal)) controller.abort(new SimulatedCrash());
  };
  Object.defineProperty(signal, 'aborted', {
    configurable: true,
    get() {
      tick();
      return abortedGetter.call(signal) as boolean;
    },
  });
  const throwIfAborted = AbortSignal.prototype.throwIfAborted;
  Object.defineProperty(signal, 'throwIfAborted', {
    configurable: true,
    value() {
      tick();
      throwIfAborted.call(signal);
    },
  });
  return { signal, interrupted: () => abortedGetter.call(signal) as boolean };
}
