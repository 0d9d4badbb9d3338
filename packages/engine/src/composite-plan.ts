import { canonicalJson, type IncludeSpec, type Instance, type ProductVersion } from '@paved/model';
import type { CompositeStep, PlanReason, ReconcilePlan } from './plan.js';

/**
 * What a composite instance's pass should do, as a pure function of its product's parts
 * (`spec.includes`, in dependency order) and the part instances that exist. No I/O: the
 * engine acts on the result, and tests read it directly.
 */

/** The spec a part should have, from its include: product version, plan and validated inputs. */
export interface PartSpec {
  product: ProductVersion;
  plan: string;
  inputs: Record<string, unknown>;
}

/** What changes in a part's spec to match its include (what store.updateInstanceSpec takes). */
export interface PartChange {
  plan?: string;
  productVersion?: string;
  inputs?: Record<string, unknown>;
}

/** The spec change a part needs to match its include, or undefined when it matches. */
export function partChange(part: Instance, spec: PartSpec, include: IncludeSpec): PartChange | undefined {
  const change: PartChange = {};
  if (part.plan !== spec.plan) change.plan = spec.plan;
  if (include.version !== undefined && part.productVersion !== spec.product.version) change.productVersion = spec.product.version;
  if (canonicalJson(part.inputs) !== canonicalJson(spec.inputs)) change.inputs = spec.inputs;
  return Object.keys(change).length === 0 ? undefined : change;
}

/** A part counts as Ready when it is Ready at its current spec and not being deleted. */
export function partIsReady(part: Instance): boolean {
  return part.status.phase === 'Ready' && part.observedGeneration === part.generation && !part.deletionRequested;
}

export function partsByName(parts: readonly Instance[]): Map<string, Instance> {
  return new Map(parts.filter((part) => part.parent !== undefined).map((part) => [part.parent!.part, part]));
}

/** One line per part that is not Ready yet: "db (Provisioning)", "app (waits for db)". */
export interface PartWait {
  part: string;
  state: string;
}

export interface ProvisionPlan {
  /** Parts to create now: missing, and everything they depend on is Ready. */
  create: IncludeSpec[];
  /** Parts the product no longer includes (a newer version dropped them): delete them. */
  remove: Instance[];
  /** The first failed part, in dependency order. */
  failed?: { include: IncludeSpec; instance: Instance };
  /** Parts not Ready yet, in dependency order; empty: every part is Ready. */
  waiting: PartWait[];
}

export function planProvision(ordered: readonly IncludeSpec[], parts: readonly Instance[]): ProvisionPlan {
  const byPart = partsByName(parts);
  const ready = (name: string) => {
    const part = byPart.get(name);
    return part !== undefined && partIsReady(part);
  };
  const plan: ProvisionPlan = { create: [], remove: [], waiting: [] };
  for (const include of ordered) {
    const instance = byPart.get(include.name);
    const needs = (include.dependsOn ?? []).filter((dependency) => !ready(dependency));
    if (instance === undefined) {
      if (needs.length === 0) plan.create.push(include);
      plan.waiting.push({ part: include.name, state: needs.length === 0 ? 'being created' : `waits for ${needs.join(', ')}` });
      continue;
    }
    if (instance.status.phase === 'Failed' && plan.failed === undefined) plan.failed = { include, instance };
    if (!partIsReady(instance)) plan.waiting.push({ part: include.name, state: instance.status.phase });
  }
  const included = new Set(ordered.map((include) => include.name));
  plan.remove = parts.filter((part) => part.parent !== undefined && !included.has(part.parent.part) && !part.deletionRequested);
  return plan;
}

export interface DeletionPlan {
  /** Parts whose deletion to request now: no remaining part depends on them. */
  request: Instance[];
  /** Every part still present, with what it waits for. */
  remaining: PartWait[];
  /** A part whose deletion failed. */
  failed?: Instance;
}

/**
 * Reverse dependency order: a part is deleted only once every part that depends on it is
 * gone (forgotten), so a dependent never outlives what it needs.
 */
export function planDeletion(includes: readonly IncludeSpec[], parts: readonly Instance[]): DeletionPlan {
  const present = new Set(parts.flatMap((part) => (part.parent === undefined ? [] : [part.parent.part])));
  const plan: DeletionPlan = { request: [], remaining: [] };
  for (const part of parts) {
    const name = part.parent?.part ?? part.name;
    const dependents = includes.filter((include) => include.name !== name && present.has(include.name) && (include.dependsOn ?? []).includes(name)).map((include) => include.name);
    if (part.status.phase === 'Failed' && part.deletionRequested && plan.failed === undefined) plan.failed = part;
    if (!part.deletionRequested && dependents.length === 0) plan.request.push(part);
    plan.remaining.push({ part: name, state: dependents.length > 0 && !part.deletionRequested ? `waits for ${dependents.join(', ')} to go` : 'Deleting' });
  }
  return plan;
}

export function describeWaits(waits: readonly PartWait[]): string {
  return waits.map((wait) => `${wait.part} (${wait.state})`).join(', ');
}

/**
 * The includes whose desired part spec a composite plan needs (resolved from product versions
 * before planning): those with a part that is not being deleted, and those whose part can be
 * created now. A waiting include is not resolved, so a part that cannot exist yet cannot fail
 * the pass either.
 */
export function includesToResolve(ordered: readonly IncludeSpec[], parts: readonly Instance[]): IncludeSpec[] {
  const byPart = partsByName(parts);
  const creatable = new Set(planProvision(ordered, parts).create.map((include) => include.name));
  return ordered.filter((include) => {
    const part = byPart.get(include.name);
    return part === undefined ? creatable.has(include.name) : !part.deletionRequested;
  });
}

/** What a composite instance's plan is computed from. */
export interface CompositePlanInput {
  deletionRequested: boolean;
  /** The product's `spec.includes`, in dependency order (orderIncludes). */
  includes: readonly IncludeSpec[];
  /** Its part instances, as the store has them. */
  parts: readonly Instance[];
  /** The spec each include wants for its part: one for every include of includesToResolve. */
  specs: ReadonlyMap<string, PartSpec>;
}

function describeChange(part: Instance, change: PartChange): string {
  const changes: string[] = [];
  if (change.productVersion !== undefined) changes.push(`version ${part.productVersion} → ${change.productVersion}`);
  if (change.plan !== undefined) changes.push(`plan ${part.plan} → ${change.plan}`);
  if (change.inputs !== undefined) changes.push(`inputs → ${canonicalJson(change.inputs)}`);
  return changes.join(', ');
}

function compositePlan(reason: PlanReason, message: string, steps: CompositeStep[], idle: string): ReconcilePlan<CompositeStep> {
  return { steps: steps.length > 0 ? steps : [{ kind: 'none', message: idle }], reason, message, drifted: false };
}

/**
 * Everything the next pass over a composite instance will do, in order. Provisioning: bring
 * existing parts' specs in line with their includes, create the parts whose dependencies are
 * Ready, delete the parts the product no longer includes. Deletion: ask for the deletion of
 * every part nothing left depends on; forget the instance once no part is left. Pure.
 */
export function planComposite(input: CompositePlanInput): ReconcilePlan<CompositeStep> {
  const { includes, parts } = input;
  if (input.deletionRequested) {
    if (parts.length === 0) return compositePlan('DeletionRequested', 'Deletion was requested and every part is gone.', [{ kind: 'forget', message: 'Forget the instance: its record and its copied credentials.' }], '');
    const deletion = planDeletion(includes, parts);
    const steps: CompositeStep[] = deletion.request.map((part) => {
      const name = part.parent?.part ?? part.name;
      return { kind: 'delete-part', part: name, instanceId: part.id, message: `Ask for the deletion of part "${name}" (${part.name}): nothing left depends on it.` };
    });
    return compositePlan('DeletionRequested', 'Deletion was requested; deleting the parts in reverse dependency order.', steps, `Nothing to do but wait for the parts to go: ${describeWaits(deletion.remaining)}.`);
  }

  const provision = planProvision(includes, parts);
  const byPart = partsByName(parts);
  const spec = (include: IncludeSpec) => {
    const found = input.specs.get(include.name);
    if (found === undefined) throw new TypeError(`planComposite needs the spec of part "${include.name}" (includesToResolve)`);
    return found;
  };
  const updates: CompositeStep[] = [];
  for (const include of includes) {
    const part = byPart.get(include.name);
    if (part === undefined || part.deletionRequested) continue;
    const change = partChange(part, spec(include), include);
    if (change !== undefined) updates.push({ kind: 'update-part', part: include.name, instanceId: part.id, change, message: `Update part "${include.name}" (${part.name}): ${describeChange(part, change)}.` });
  }
  const creates = provision.create.map((include): Extract<CompositeStep, { kind: 'create-part' }> => {
    const wanted = spec(include);
    return { kind: 'create-part', part: include.name, include, spec: wanted, message: `Create part "${include.name}": ${wanted.product.name}@${wanted.product.version}, plan ${wanted.plan}.` };
  });
  const removals: CompositeStep[] = provision.remove.map((part) => {
    const name = part.parent?.part ?? part.name;
    return { kind: 'delete-part', part: name, instanceId: part.id, message: `Ask for the deletion of part "${name}" (${part.name}): the product no longer includes it.` };
  });
  const steps = [...updates, ...creates, ...removals];

  if (updates.length > 0 || removals.length > 0) return compositePlan('SpecChanged', 'The parts differ from what the product includes; bringing them in line.', steps, '');
  if (creates.length > 0) return compositePlan('NotCreated', `Parts not created yet: ${creates.map((step) => step.part).join(', ')}; creating them.`, steps, '');
  const idle = 'Nothing to change; record the status from the parts.';
  if (provision.failed !== undefined) return compositePlan('PartFailed', `Part "${provision.failed.include.name}" failed; Paved keeps retrying it.`, steps, idle);
  if (provision.waiting.length > 0) return compositePlan('WaitingForParts', `Waiting for parts: ${describeWaits(provision.waiting)}.`, steps, idle);
  return compositePlan('UpToDate', 'Every part is Ready and matches the product.', steps, idle);
}
