import type { DriverContext, DriverInstance, Observation } from '@paved/driver-api';
import { resolveInstanceValues, type ProductVersion } from '@paved/model';
import type { Progress } from './apply.js';
import { CREDENTIALS, generatedSecrets, generatedSecretsName, type UnstoredSecrets } from './outputs.js';
import type { Pass, Resolved } from './pass.js';
import type { PlanSources } from './plan-sources.js';

/** What a pass that skips observe plans from: nothing there, so a create (plan.ts NotCreated). */
const UNOBSERVED: Observation = Object.freeze({ exists: false, upToDate: false, diff: [] });

/** The driver's view of the instance, at its current credential. */
export function driverInstance(pass: Pass, product: ProductVersion): DriverInstance {
  const { id, teamName, name, externalName, product: productName, plan, inputs, workload } = pass.instance;
  return {
    id, team: teamName, name, externalName, product: productName, plan,
    values: resolveInstanceValues(product.manifest, plan, inputs),
    rotation: pass.claimed.engine.rotation,
    ...(workload === undefined ? {} : { workload: { service: workload.service, environment: workload.environment } }),
  };
}

/**
 * The observe half of a pass over an instance with a driver: the driver context the steps
 * will use, and everything the plan is computed from. Reads only. Generated secrets that were
 * missing are made here and returned `unstored`: the driver's observe may see them (it changes
 * nothing), and the pass stores them before its first step that changes anything, in the same
 * commit as that step's intent record (apply.ts). Deletion does not observe (the ladder runs
 * whatever exists) and generates nothing: its steps get the current credential's stored
 * values, kept until the instance is forgotten.
 */
export async function observe(
  pass: Pass, resolved: Resolved, progress: Progress, options: { unobserved?: boolean; generated?: Record<string, string> } = {},
): Promise<{ ctx: DriverContext; sources: PlanSources; unstored?: UnstoredSecrets }> {
  const { product, driver, target } = resolved;
  const { id, deletionRequested } = pass.instance;
  const engine = pass.claimed.engine;

  progress.stage = 'prepare';
  // `generated`: stored by the instance's own create with its intent (create-intent.ts), in hand.
  const { values: secrets, unstored } = options.generated !== undefined ? { values: options.generated }
    : deletionRequested ? { values: (await pass.secrets.get(id, generatedSecretsName(engine.rotation))) ?? {} }
      : await generatedSecrets(pass.secrets, id, driver.secrets, undefined, engine.rotation);
  const ctx: DriverContext = { instance: driverInstance(pass, product), target, secrets, signal: pass.lease.signal, logger: pass.deps.logger };
  const sources: PlanSources = { instance: pass.instance, engine, product, driver, hasCredentials: false, now: pass.now() };
  if (deletionRequested) return { ctx, sources };

  // A new instance whose driver may create without looking (first-pass.ts): planned as absent,
  // so the pass creates at once; a create that finds the resource there says so and the pass
  // observes then (apply.ts). One round trip to the target fewer on a new instance's path.
  if (options.unobserved === true) return { ctx, sources: { ...sources, observation: UNOBSERVED }, ...(unstored === undefined ? {} : { unstored }) };

  progress.stage = 'observe';
  pass.assertLease();
  const observation = await driver.observe(ctx);
  // Only an existing resource needs the answer (a missing one is created either way): saves a read per create.
  const hasCredentials = observation.exists && (await pass.secrets.get(id, CREDENTIALS)) !== undefined;
  return { ctx, sources: { ...sources, observation, hasCredentials }, ...(unstored === undefined ? {} : { unstored }) };
}
