import {
  COMPOSITE_DRIVER, InputError, orderIncludes, parseOutputFrom, type IncludeSpec, type Instance, type ProductVersion,
} from '@paved/model';
import type { NewEvent } from '@paved/store';
import type { Progress } from './apply.js';
import { compositeDeletingStatus, compositeFailedStatus, compositeReadyStatus, compositeWaitingStatus, type CompositeSubject } from './composite-status.js';
import { includesToResolve, partIsReady, partsByName, planComposite, planDeletion, planProvision, type PartSpec } from './composite-plan.js';
import { hasCondition } from './conditions.js';
import { createPart, partSpec } from './composite-parts.js';
import { CREDENTIALS } from './outputs.js';
import type { Pass } from './pass.js';
import type { CompositeStep } from './plan.js';

/**
 * How soon a composite waiting on its parts looks again. A part's status change wakes it at
 * once (the store makes the parent due); this only covers a wake-up that raced with the
 * parent's own write of its next due time.
 */
export const COMPOSITE_POLL_MS = 2_000;

/** Who asks for a part's deletion: the platform, on the composite's behalf. */
const ACTOR = 'paved';

/** The product version of the instance when it is a composite product (else undefined: a driver pass). */
export async function compositeProduct(pass: Pass): Promise<ProductVersion | undefined> {
  const { product, productVersion } = pass.instance;
  const found = await pass.deps.productVersion(product, productVersion);
  return found?.manifest.spec.driver === COMPOSITE_DRIVER ? found : undefined;
}

/**
 * Reconciles a composite instance: the engine itself keeps one child instance per include
 * (drivers stay store-free), and the parent reflects them. observe (the parts, and the spec
 * each include wants) → planComposite → apply its steps → record the status the parts add up
 * to. See README "Composition".
 */
export async function reconcileComposite(pass: Pass, product: ProductVersion, progress: Progress): Promise<void> {
  const ordered = orderIncludes(product.manifest.spec.includes ?? []);
  if ('cycle' in ordered) {
    // Refused at publish; a product stored another way (bootstrap) is caught here.
    throw new InputError(`spec.includes has a cycle: ${ordered.cycle.join(' → ')}`, { code: 'composition_invalid', issues: [{ path: 'spec.includes', message: 'dependsOn cycle' }] });
  }
  const includes = ordered.order;
  const { deletionRequested } = pass.instance;
  const parts = await pass.deps.store.listInstanceParts(pass.instance.id);
  const specs = deletionRequested ? new Map<string, PartSpec>() : await resolveSpecs(pass, includes, parts, progress);
  const plan = planComposite({ deletionRequested, includes, parts, specs });
  pass.deps.logger.debug({ instanceId: pass.instance.id, reason: plan.reason, steps: plan.steps.map((step) => step.kind) }, 'planned');
  for (const step of plan.steps) await applyStep(pass, step, progress);
  if (pass.forgotten) return;

  const after = await pass.deps.store.listInstanceParts(pass.instance.id);
  if (!deletionRequested) return recordProvisioning(pass, product, includes, after, progress);
  // The last parts may have gone while we asked (their passes run beside ours): then the plan
  // for what is left is to forget, now rather than on the next pass.
  const next = planComposite({ deletionRequested, includes, parts: after, specs });
  if (next.steps[0]?.kind === 'forget') return applyStep(pass, next.steps[0], progress);
  const deletion = planDeletion(includes, after);
  await recordWaiting(pass, compositeDeletingStatus(pass.previous, deletion.remaining, deletion.failed, subjectOf(pass), pass.nowIso()), after);
}

/** The spec each include wants for its part (a product version lookup each), for the plan. */
async function resolveSpecs(pass: Pass, includes: readonly IncludeSpec[], parts: readonly Instance[], progress: Progress): Promise<Map<string, PartSpec>> {
  const byPart = partsByName(parts);
  const specs = new Map<string, PartSpec>();
  for (const include of includesToResolve(includes, parts)) {
    const part = byPart.get(include.name);
    // A product version that cannot be found fails the step it was needed for.
    progress.stage = part === undefined ? 'create' : 'update';
    specs.set(include.name, await partSpec(pass, include, part));
  }
  return specs;
}

async function applyStep(pass: Pass, step: CompositeStep, progress: Progress): Promise<void> {
  const { store } = pass.deps;
  switch (step.kind) {
    case 'update-part':
      progress.stage = 'update';
      pass.assertLease();
      await store.updateInstanceSpec(step.instanceId, step.change, ACTOR);
      return;
    case 'create-part':
      progress.stage = 'create';
      pass.assertLease();
      await createPart(pass, step.include, step.spec);
      pass.crashPoint(`composite:after-create:${step.part}`);
      return;
    case 'delete-part':
      progress.stage = 'delete';
      progress.step = step.part;
      pass.assertLease();
      await store.requestDeletion(step.instanceId, ACTOR);
      return;
    case 'forget':
      progress.stage = 'delete';
      progress.step = 'forget';
      pass.crashPoint('delete:before-forget');
      await pass.forget();
      pass.deps.logger.info({ instanceId: pass.instance.id }, 'composite instance deleted');
      return;
    case 'none':
      return;
  }
}

function subjectOf(pass: Pass): CompositeSubject {
  return { product: pass.instance.product, name: pass.instance.name, generation: pass.instance.generation };
}

/** The status the parts add up to: Failed naming the first failed part, else waiting, else Ready. */
async function recordProvisioning(pass: Pass, product: ProductVersion, includes: IncludeSpec[], parts: Instance[], progress: Progress): Promise<void> {
  const now = planProvision(includes, parts);
  const subject = subjectOf(pass);
  if (now.failed !== undefined) {
    return recordWaiting(pass, compositeFailedStatus(pass.previous, now.failed.instance, subject, pass.nowIso()), parts);
  }
  if (retryingAfterPartFailure(pass, parts)) {
    // A failed part's retry shows Provisioning for a moment: the parent stays Failed (no flapping, no event per retry).
    return recordWaiting(pass, pass.previous, parts);
  }
  if (now.waiting.length > 0 || now.remove.length > 0) {
    return recordWaiting(pass, compositeWaitingStatus(pass.previous, now.waiting, pass.nowIso()), parts);
  }
  progress.stage = 'prepare';
  await recordCompositeReady(pass, product, includes, parts);
}

function retryingAfterPartFailure(pass: Pass, parts: readonly Instance[]): boolean {
  if (!hasCondition(pass.previous.conditions, { type: 'Ready', status: 'False', reason: 'PartFailed' })) return false;
  return parts.some((part) => !partIsReady(part) && part.status.lastError !== undefined);
}

/** Writes a not-Ready status, polls, and catches a part change that raced with the write. */
async function recordWaiting(pass: Pass, status: Instance['status'], seen: readonly Instance[]): Promise<void> {
  const events: NewEvent[] = [];
  if (status.phase === 'Failed' && pass.previous.phase !== 'Failed') {
    const ready = status.conditions.find((condition) => condition.type === 'Ready');
    events.push(pass.event('instance.failed', { reason: ready?.reason, message: ready?.message }));
  }
  await pass.recordStatus({ status, engine: { pendingAction: null, attempts: 0, dueAt: pass.now() + COMPOSITE_POLL_MS }, events });
  await wakeIfPartsMoved(pass, seen);
}

/**
 * A part's write wakes its parent by making it due; if that landed between our read of the
 * parts and our own write of the due time, ours would hide it. Reading again after our write
 * closes the gap: any change since the read is visible now, and we make ourselves due.
 */
async function wakeIfPartsMoved(pass: Pass, seen: readonly Instance[]): Promise<void> {
  const fingerprint = (parts: readonly Instance[]) => parts.map((part) => `${part.id}@${part.updatedAt}:${part.status.phase}`).sort().join('|');
  const after = await pass.deps.store.listInstanceParts(pass.instance.id);
  if (fingerprint(after) !== fingerprint(seen)) await pass.deps.store.touch(pass.instance.id);
}

/**
 * Every part is Ready: the parent's outputs come from its `from` mappings. Secret-ness follows
 * the part's output (or the composite's own `secret: true`); secret values are copied into the
 * parent's own 'credentials' secret, so revealing the composite reveals one unit.
 */
async function recordCompositeReady(pass: Pass, product: ProductVersion, ordered: IncludeSpec[], parts: Instance[]): Promise<void> {
  const { secrets } = pass.deps;
  const byPart = partsByName(parts);
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  const partSecrets = new Map<string, Record<string, string>>();
  for (const [name, output] of Object.entries(product.manifest.spec.outputs)) {
    const ref = output.from === undefined ? undefined : parseOutputFrom(output.from);
    const part = ref === undefined ? undefined : byPart.get(ref.part);
    if (ref === undefined || part === undefined) continue;
    const partProduct = await pass.deps.productVersion(part.product, part.productVersion);
    const partSecret = partProduct?.manifest.spec.outputs[ref.output]?.secret === true;
    let value = part.outputs[ref.output];
    if (partSecret || value === undefined) {
      if (!partSecrets.has(part.id)) partSecrets.set(part.id, (await secrets.get(part.id, CREDENTIALS)) ?? {});
      value = partSecrets.get(part.id)![ref.output] ?? value;
    }
    if (value === undefined) continue;
    if (partSecret || output.secret === true) secret[name] = value;
    else plain[name] = value;
  }
  const stored = await secrets.get(pass.instance.id, CREDENTIALS);
  if (stored === undefined || JSON.stringify(sorted(stored)) !== JSON.stringify(sorted(secret))) {
    pass.assertLease();
    await secrets.put(pass.instance.id, CREDENTIALS, secret);
  }

  const status = compositeReadyStatus(pass.previous, ordered.map((include) => byPart.get(include.name)!), subjectOf(pass), pass.nowIso());
  const events: NewEvent[] = [];
  if (pass.previous.readyAt === undefined) {
    events.push(pass.event('instance.ready', { timeToReadyMs: Math.max(0, pass.now() - Date.parse(pass.instance.createdAt)) }));
  }
  await pass.recordStatus({
    status,
    outputs: plain,
    observedGeneration: pass.instance.generation,
    engine: { pendingAction: null, attempts: 0, dueAt: pass.now() + pass.deps.driftIntervalMs },
    events,
  });
  await wakeIfPartsMoved(pass, parts);
}

function sorted(values: Record<string, string>): [string, string][] {
  return Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
}
