/**
 * The shared driver conformance suite (docs/drivers/README.md, "The conformance suite"). Each
 * driver's test file calls `runDriverConformance({...})` against a real target; the suite
 * declares vitest tests that check the contract's promises: observe changes nothing, create is
 * idempotent, the driver's own contract checks pass on what it issued (so credentials work and
 * are isolated) and fail once it is deleted, deletion steps can be repeated, and a crash
 * part-way through a create or a deletion is resumed by simply running the driver again.
 *
 * Tests in one suite run in order and share two instances (A and B); the crash tests make their
 * own. Everything created is deleted in afterAll even when an assertion failed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createCheckSession, isResourceExists, type CheckSession, type ContractCheck, type Driver, type DriverInstance, type Target } from './index.js';
import { buildContext, generateSecrets, interruptingSignal, newSeed, type InstanceSeed } from './conformance-context.js';

export { SimulatedCrash } from './conformance-context.js';

export type Outputs = Record<string, string>;

/** What the option callbacks get besides outputs: the driver under test and its target. */
export interface ConformanceEnv {
  driver: Driver;
  target: Target;
}

export interface DriverConformanceOptions {
  /** Shown in test names, e.g. 'postgres (machine server)'. */
  name: string;
  createDriver: () => Driver;
  target: () => Promise<Target> | Target;
  /** Output keys every create/update must issue, e.g. ['host', 'port', 'username', 'password']. */
  outputs?: readonly string[];
  /** Product values of the instances the suite creates. */
  values?: Record<string, unknown>;
  /**
   * A changed value the driver applies on update (e.g. `{ connectionLimit: 5 }`). It must be
   * visible to observe: before the update observe reports drift, after it none. Omit when the
   * driver has no such value.
   */
  update?: { values: Record<string, unknown> };
  /**
   * Checks the driver offers that must fail on this target, because the target does not give
   * what they test (a NATS server in shared mode gives no isolation). The suite asserts that
   * they fail; every other check must pass.
   */
  failingChecks?: readonly string[];
  /**
   * Uses issued outputs as an application would (its client library, the issued URL) for a
   * write and a read; throws if that fails. The driver's own checks run besides.
   */
  useCredentials?: (outputs: Outputs, env: ConformanceEnv) => Promise<void>;
  /** Tries to reach resource `victim` with `intruder`'s outputs; must throw (be refused). */
  crossAccess?: (victim: Outputs, intruder: Outputs, env: ConformanceEnv) => Promise<void>;
  /** Throws if anything named externalName remains on the target. */
  assertGone?: (externalName: string, target: Target, env: ConformanceEnv) => Promise<void>;
  /**
   * Lists what exists on the target under externalName, one entry per object (e.g.
   * ['database pv_x', 'role pv_x']). Lets the suite prove "create twice is one resource".
   */
  inventory?: (externalName: string, target: Target, env: ConformanceEnv) => Promise<string[]>;
  /**
   * The driver keeps nothing outside Paved (its observe always says exists, e.g. 'secret'), so
   * the existence checks are vacuous and skipped; idempotency, outputs and isolation still run.
   */
  stateless?: boolean;
  /** Why the suite cannot run here (service unreachable). Fails under CI=true, else skips. */
  skip?: string;
}

/** Upper bound on the steps of one create; a driver checking its signal more often is a bug here. */
const MAX_CREATE_STEPS = 20;

export interface ChecksInput {
  target: Target;
  instance: DriverInstance;
  outputs: Outputs;
  /** Which of the driver's checks to run, in this order (default: all of them). */
  names?: readonly string[];
}

/**
 * Runs the driver's contract checks on issued outputs as the engine does before an instance is
 * Ready: sharing one CheckSession, in order (all started at once when the driver says
 * `checksTogether`, their outcomes read in order), stopping at the first that fails (whose error
 * is thrown). The session is closed afterwards either way, once every started check settled.
 * Returns what the session opened (the tenant connections), closed by then, for a test that
 * looks at them the moment the close resolved.
 */
export async function runDriverChecks(driver: Driver, input: ChecksInput): Promise<unknown[]> {
  const offered = driver.checks ?? [];
  const opened: unknown[] = [];
  const shared = createCheckSession();
  const session: CheckSession = {
    use: (key, open, close) => shared.use(key, async () => {
      const value = await open();
      opened.push(value);
      return value;
    }, close),
  };
  const checks = (input.names ?? offered.map((check) => check.name)).map((name) => {
    const check = offered.find((candidate) => candidate.name === name);
    if (check === undefined) throw new Error(`driver "${driver.type}" offers no check "${name}"`);
    return check;
  });
  const run = (check: ContractCheck) => check.run({ target: input.target, instance: input.instance, outputs: input.outputs, signal: new AbortController().signal, session });
  const started = driver.checksTogether === true ? checks.map(run) : [];
  for (const outcome of started) outcome.catch(() => {}); // read in order below, or not after a failure
  try {
    for (const [index, check] of checks.entries()) await (started[index] ?? run(check));
  } finally {
    await Promise.allSettled(started);
    await shared.close();
  }
  return opened;
}

export function runDriverConformance(options: DriverConformanceOptions): void {
  describe(`driver conformance: ${options.name}`, () => {
    if (options.skip !== undefined) {
      declareSkipped(options.name, options.skip);
      return;
    }
    const stateless = options.stateless === true;
    const baseValues = options.values ?? {};
    let driver: Driver | undefined;
    let target: Target;
    // Every instance ever created, so afterAll can remove it whatever failed on the way.
    const leftovers = new Map<string, InstanceSeed>();
    let a: InstanceSeed;
    let b: InstanceSeed;
    let aOutputs: Outputs;
    let bOutputs: Outputs;

    const d = (): Driver => {
      if (!driver) throw new Error('driver was not created (beforeAll failed)');
      return driver;
    };
    const env = (): ConformanceEnv => ({ driver: d(), target });
    const observe = (seed: InstanceSeed) => d().observe(buildContext(target, seed));
    // As the engine calls create: one that says the resource is already there (a driver that
    // declares createsUnobserved may) is followed by update, which the engine plans after observing.
    const create = async (seed: InstanceSeed, signal?: AbortSignal): Promise<Outputs> => {
      leftovers.set(seed.externalName, seed);
      const ctx = buildContext(target, seed, signal);
      try {
        return (await d().create(ctx)).outputs;
      } catch (error) {
        if (d().createsUnobserved !== true || !isResourceExists(error)) throw error;
        return (await d().update(ctx)).outputs;
      }
    };
    const runSteps = async (seed: InstanceSeed, from: number, to: number, times = 1) => {
      for (const step of d().deletion.slice(from, to)) {
        for (let i = 0; i < times; i++) await step.run(buildContext(target, seed));
      }
    };
    const deleteFully = (seed: InstanceSeed, times = 1) => runSteps(seed, 0, d().deletion.length, times);
    const inventory = async (seed: InstanceSeed) => (options.inventory ? [...(await options.inventory(seed.externalName, target, env()))].sort() : []);
    const failingChecks = options.failingChecks ?? [];
    const holdingChecks = () => (d().checks ?? []).map((check) => check.name).filter((name) => !failingChecks.includes(name));
    const checksInput = (seed: InstanceSeed, outputs: Outputs, names?: readonly string[]): ChecksInput => ({
      target,
      instance: buildContext(target, seed).instance,
      outputs,
      ...(names === undefined ? {} : { names }),
    });
    /** The driver's own proof: every check holds on what it issued, except those expected to fail here. */
    const expectChecksHold = async (seed: InstanceSeed, outputs: Outputs) => {
      await runDriverChecks(d(), checksInput(seed, outputs, holdingChecks()));
      for (const name of failingChecks) {
        await expect(runDriverChecks(d(), checksInput(seed, outputs, [name])), `check "${name}" was expected to fail on this target`).rejects.toThrow();
      }
    };

    const expectGone = async (seed: InstanceSeed) => {
      if (!stateless) expect((await observe(seed)).exists, `${seed.externalName} still exists`).toBe(false);
      await options.assertGone?.(seed.externalName, target, env());
      expect(await inventory(seed)).toEqual([]);
      leftovers.delete(seed.externalName);
    };
    const expectIssued = (outputs: Outputs) => {
      const promised = options.outputs ?? [];
      for (const key of promised) {
        expect(typeof outputs[key], `output "${key}"`).toBe('string');
        expect(outputs[key], `output "${key}"`).not.toBe('');
      }
      if (promised.length === 0) expect(Object.keys(outputs).length).toBeGreaterThan(0);
    };
    const expectWorking = async (seed: InstanceSeed, outputs: Outputs) => {
      const observation = await observe(seed);
      expect(observation).toMatchObject({ exists: true, upToDate: true });
      expect(observation.diff).toEqual([]);
      // What observe reads off the target must agree with what create issued.
      for (const [key, value] of Object.entries(observation.outputs ?? {})) expect(outputs[key], `output "${key}"`).toBe(value);
      expectIssued(outputs);
      await expectChecksHold(seed, outputs);
      await options.useCredentials?.(outputs, env());
    };

    beforeAll(async () => {
      driver = options.createDriver();
      target = await options.target();
      a = newSeed(driver, 'conformance-a', baseValues);
      b = newSeed(driver, 'conformance-b', baseValues);
    });

    afterAll(async () => {
      if (!driver) return;
      for (const [name, seed] of leftovers) {
        for (const step of driver.deletion) {
          try {
            await step.run(buildContext(target, seed));
          } catch (error) {
            console.warn(`conformance cleanup: step ${step.name} for ${name} failed: ${(error as Error).message}`);
          }
        }
      }
      await driver.close?.();
    });

    it.skipIf(stateless)('offers contract checks, the only proof it gives that issued credentials work', () => {
      const offered = (d().checks ?? []).map((check) => check.name);
      expect(offered.length, `driver "${d().type}" offers no contract checks`).toBeGreaterThan(0);
      for (const name of failingChecks) expect(offered, 'failingChecks names a check the driver does not offer').toContain(name);
    });

    it.skipIf(stateless)('observe on a missing resource reports it absent and creates nothing', async () => {
      const observation = await observe(a);
      expect(observation.exists).toBe(false);
      await options.assertGone?.(a.externalName, target, env());
      expect(await inventory(a)).toEqual([]);
    });

    it('create makes a resource that observe finds existing and up to date', async () => {
      aOutputs = await create(a);
      await expectWorking(a, aOutputs);
      if (options.inventory) expect((await inventory(a)).length).toBeGreaterThan(0);
    });

    it('create twice is one resource with the same outputs', async () => {
      const before = await inventory(a);
      const again = await create(a);
      expect(again).toEqual(aOutputs);
      const after = await inventory(a);
      expect(after).toEqual(before);
      expect(new Set(after).size).toBe(after.length);
      await expectWorking(a, again);
    });

    it('observe never changes anything', async () => {
      const before = await inventory(a);
      const first = await observe(a);
      const second = await observe(a);
      expect(second).toEqual(first);
      expect(await inventory(a)).toEqual(before);
      await expectWorking(a, aOutputs);
    });

    it("another instance's credentials cannot reach this resource", async () => {
      bOutputs = await create(b);
      // B's checks run while A exists: its isolation check is the driver's own proof that B's
      // credentials reach nothing outside B, A included.
      await expectWorking(b, bOutputs);
      // No secret of one instance may show up in the other's outputs.
      for (const secret of Object.values(a.secrets)) expect(Object.values(bOutputs).join('\n')).not.toContain(secret);
      for (const secret of Object.values(b.secrets)) expect(Object.values(aOutputs).join('\n')).not.toContain(secret);
      if (options.crossAccess) {
        await expect(options.crossAccess(aOutputs, bOutputs, env())).rejects.toThrow();
        await expect(options.crossAccess(bOutputs, aOutputs, env())).rejects.toThrow();
      }
      await expectWorking(a, aOutputs);
    });

    it('update resets the secrets it is given and the new credentials work', async () => {
      const rotated: InstanceSeed = { ...a, secrets: generateSecrets(d()) };
      const outputs = (await d().update(buildContext(target, rotated))).outputs;
      await expectWorking(rotated, outputs);
      a = rotated;
      aOutputs = outputs;
    });

    it('create on a resource nobody observed converges it as update would, or says it exists and leaves it (createsUnobserved)', async (test) => {
      // The engine's first pass over a new instance calls create without observing when the
      // driver declares this (engine first-pass.ts); the resource may already be there.
      if (d().createsUnobserved !== true) test.skip('the driver does not declare createsUnobserved: the engine always observes before its create');
      const before = await inventory(a);
      const fresh: InstanceSeed = { ...a, secrets: generateSecrets(d()) };
      let outputs: Outputs | undefined;
      try {
        outputs = (await d().create(buildContext(target, fresh))).outputs;
      } catch (error) {
        if (!isResourceExists(error)) throw error;
      }
      expect(await inventory(a)).toEqual(before);
      if (outputs === undefined) {
        // Refused: nothing that matters changed, the credentials issued before still work.
        await expectWorking(a, aOutputs);
        return;
      }
      // Converged, as update would: the secrets it was given are the ones that work now.
      await expectWorking(fresh, outputs);
      a = fresh;
      aOutputs = outputs;
    });

    it.skipIf(!options.update)('update with a changed value converges', async () => {
      const changed: InstanceSeed = { ...a, values: { ...a.values, ...options.update?.values } };
      const drifted = await observe(changed);
      expect(drifted).toMatchObject({ exists: true, upToDate: false });
      expect(drifted.diff.length).toBeGreaterThan(0);
      const outputs = (await d().update(buildContext(target, changed))).outputs;
      await expectWorking(changed, outputs);
      // The old spec is now the one that differs.
      if (!stateless) expect((await observe(a)).upToDate).toBe(false);
      a = changed;
      aOutputs = outputs;
    });

    it('running every deletion step twice is fine and leaves nothing behind', async () => {
      await deleteFully(a, 2);
      await expectGone(a);
      await deleteFully(b, 2);
      await expectGone(b);
      if (!stateless) {
        // The deleted resource's credentials no longer reach anything: its checks fail.
        await expect(runDriverChecks(d(), checksInput(a, aOutputs, holdingChecks()))).rejects.toThrow();
        if (options.useCredentials) await expect(options.useCredentials(aOutputs, env())).rejects.toThrow();
      }
      // Deleting what was never created is fine too (a crash before the first create).
      const never = newSeed(d(), 'conformance-c', baseValues);
      await deleteFully(never);
      await expectGone(never);
    });

    it('a create interrupted after any step is resumed by create or cleaned up by delete', async () => {
      for (let allowed = 0; allowed <= MAX_CREATE_STEPS; allowed++) {
        const seed = newSeed(d(), 'conformance-crash', baseValues);
        const interrupted = await createInterrupted(seed, allowed);
        // Resume by deleting: the engine's path for an instance deleted while pending.
        await deleteFully(seed);
        await expectGone(seed);
        // Resume by creating again: the engine's path after a crash.
        await createInterrupted(seed, allowed);
        const outputs = await create(seed);
        await expectWorking(seed, outputs);
        await deleteFully(seed);
        await expectGone(seed);
        if (!interrupted) return;
      }
      throw new Error(`create checked its signal more than ${MAX_CREATE_STEPS} times`);
    });

    it('a deletion stopped after any step resumes, and a create after it repairs the resource', async () => {
      const steps = d().deletion.length;
      for (let done = 0; done < steps; done++) {
        const seed = newSeed(d(), 'conformance-halfway', baseValues);
        await create(seed);
        await runSteps(seed, 0, done);
        // Resume the ladder where it stopped.
        await runSteps(seed, done, steps);
        await expectGone(seed);

        await create(seed);
        await runSteps(seed, 0, done);
        // A create after a half-done deletion converges back to a working resource.
        const outputs = await create(seed);
        await expectWorking(seed, outputs);
        await deleteFully(seed);
        await expectGone(seed);
      }
    });

    /** Runs create with a signal that aborts after `allowed` checks; returns whether it was cut short. */
    async function createInterrupted(seed: InstanceSeed, allowed: number): Promise<boolean> {
      const crash = interruptingSignal(allowed);
      try {
        await create(seed, crash.signal);
      } catch (error) {
        if (!crash.interrupted()) throw error;
      }
      return crash.interrupted();
    }
  });
}

function declareSkipped(name: string, reason: string): void {
  if (process.env.CI === 'true') {
    it('can reach its target', () => {
      throw new Error(`driver conformance: ${name} cannot run under CI: ${reason}`);
    });
    return;
  }
  console.warn(`skipping driver conformance for ${name}: ${reason}`);
  it.skip(`needs a reachable target (${reason})`, () => {});
}
