import {
  checkPlaceholders, COMPOSITE_DRIVER, COMPOSITE_TARGET, isPavedError, resolvePlan, sharedInstanceName, validateInputs, workloadInstanceName,
  type Environment, type Instance, type ProductVersion, type ResourceOutputs, type ScoreProblem, type ScoreWorkload,
  type WorkloadChange,
} from '@paved/model';
import type { Target } from '@paved/driver-api';
import { selectTarget } from '../instances/target-selection.js';

/** One instance the workload should have in the environment. */
export interface DesiredInstance {
  resource: string;
  name: string;
  product: ProductVersion;
  plan: string;
  inputs: Record<string, unknown>;
  target: string;
  shared: boolean;
}

export interface WorkloadPlanInput {
  service: string;
  environment: Environment;
  workload: ScoreWorkload;
  /** Latest version of every published product, by name (Score `type` = product name). */
  products: ReadonlyMap<string, ProductVersion>;
  targets: readonly Target[];
  /** The instances this service's workload has in the environment (shared ones it created included). */
  existing: readonly Instance[];
  /** Shared instances of the team named by the file's ids, by shared id (absent: not created yet). */
  sharedExisting: ReadonlyMap<string, Instance>;
  /** Shared ids this service named last time that no other workload of the team names: deleted when dropped now. */
  sharedReleasable: ReadonlyMap<string, Instance>;
}

export interface PlannedWorkload {
  desired: DesiredInstance[];
  changes: WorkloadChange[];
  notes: string[];
  /** Problems that make the file unusable here; the caller throws them (nothing is written). */
  problems: ScoreProblem[];
  sharedIds: string[];
}

/**
 * What applying a Score workload to an environment would change: pure (no I/O), so `paved
 * plan` and apply share it and tests need nothing but data. Every problem is collected, never
 * thrown halfway, so an apply validates the whole file before it writes anything.
 */
export function planWorkload(input: WorkloadPlanInput): PlannedWorkload {
  const problems: ScoreProblem[] = [];
  const notes: string[] = [];
  const desired: DesiredInstance[] = [];
  const env = input.environment;
  const outputs: ResourceOutputs = {};

  for (const [resource, spec] of Object.entries(input.workload.resources ?? {})) {
    const at = ['resources', resource];
    const product = input.products.get(spec.type);
    if (!product) {
      const available = [...input.products.keys()].sort().join(', ') || 'none';
      problems.push({ path: [...at, 'type'], message: `no product "${spec.type}" (available: ${available})` });
      continue;
    }
    const manifest = product.manifest;
    outputs[resource] = { type: spec.type, outputs: Object.keys(manifest.spec.outputs) };
    if (env.policies.deniedProducts?.includes(product.name)) {
      problems.push({ path: [...at, 'type'], message: `${product.name} may not be used in environment ${env.name} (its policy denies it)` });
      continue;
    }
    const plan = planFor(spec.class, manifest, [...at, 'class'], problems);
    if (plan === undefined) continue;
    const allowed = env.policies.allowedPlans?.[product.name] ?? env.policies.allowedPlans?.['*'];
    if (allowed && !allowed.includes(plan)) {
      problems.push({ path: [...at, 'class'], message: `plan ${plan} of ${product.name} is not allowed in environment ${env.name} (allowed: ${allowed.join(', ')})` });
      continue;
    }
    const inputs = attempt(() => validateInputs(manifest, spec.params ?? {}), [...at, 'params'], problems);
    const target = attempt(() => targetFor(manifest, input), [...at, 'type'], problems);
    if (!inputs || !target) continue;
    const shared = spec.id !== undefined;
    const name = shared ? sharedInstanceName(spec.id!, env.name) : workloadInstanceName(input.service, resource, env.name);
    desired.push({ resource: spec.id ?? resource, name, product, plan, inputs, target, shared });
  }
  problems.push(...checkPlaceholders(input.workload, outputs));
  addBakedIn(input, desired, notes);

  const changes = diff(input, desired, notes);
  const sharedIds = Object.values(input.workload.resources ?? {}).flatMap((r) => (r.id === undefined ? [] : [r.id]));
  return { desired, changes, notes, problems, sharedIds };
}

/**
 * The target a new instance goes on in the environment. A composite has none of its own (the
 * engine gives each part its target, as `paved create` does): each part's product must have a
 * target here, so a file that cannot be provisioned is still refused before anything is written.
 */
function targetFor(manifest: ProductVersion['manifest'], input: WorkloadPlanInput, seen: ReadonlySet<string> = new Set()): string {
  if (manifest.spec.driver !== COMPOSITE_DRIVER) return selectTarget(manifest, input.targets, input.environment.targetSelector).name;
  for (const include of manifest.spec.includes ?? []) {
    const part = input.products.get(include.product);
    if (part && !seen.has(part.name)) targetFor(part.manifest, input, new Set([...seen, manifest.metadata.name]));
  }
  return COMPOSITE_TARGET;
}

function planFor(klass: string | undefined, manifest: ProductVersion['manifest'], path: string[], problems: ScoreProblem[]): string | undefined {
  // Score's conventional class "default" means the product's default plan unless a plan has that name.
  const wanted = klass === 'default' && !Object.hasOwn(manifest.spec.plans, 'default') ? undefined : klass;
  return attempt(() => resolvePlan(manifest, wanted), path, problems);
}

function attempt<T>(fn: () => T, path: string[], problems: ScoreProblem[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!isPavedError(error)) throw error;
    problems.push({ path, message: error.message.split('\n').join(' ') });
    return undefined;
  }
}

/** Products marked bakedIn: every service gets one in every environment, named after the product. */
function addBakedIn(input: WorkloadPlanInput, desired: DesiredInstance[], notes: string[]): void {
  const env = input.environment;
  for (const product of [...input.products.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const manifest = product.manifest;
    if (manifest.spec.bakedIn !== true) continue;
    if (desired.some((d) => d.resource === product.name)) continue; // the file asks for it itself
    if (env.policies.deniedProducts?.includes(product.name)) {
      notes.push(`baked-in ${product.name} skipped: denied in environment ${env.name}`);
      continue;
    }
    let target: string;
    try {
      target = targetFor(manifest, input);
    } catch {
      notes.push(`baked-in ${product.name} skipped: no target is configured for it in environment ${env.name}`);
      continue;
    }
    const plan = resolvePlan(manifest);
    desired.push({ resource: product.name, name: workloadInstanceName(input.service, product.name, env.name), product, plan, inputs: validateInputs(manifest, {}), target, shared: false });
  }
}

function diff(input: WorkloadPlanInput, desired: readonly DesiredInstance[], notes: string[]): WorkloadChange[] {
  const changes: WorkloadChange[] = [];
  const wantedNames = new Set(desired.map((d) => d.name));
  for (const want of desired) {
    const have = want.shared ? input.sharedExisting.get(want.resource) : input.existing.find((i) => i.name === want.name);
    const base = { resource: want.resource, instance: want.name, product: want.product.name, plan: want.plan };
    if (!have) {
      changes.push({ action: 'create', ...base, details: [] });
      continue;
    }
    if (have.deletionRequested) {
      notes.push(`${want.name} is still being deleted; apply again once it is gone to create it anew`);
      changes.push({ action: 'create', ...base, details: ['waits for the previous instance to be deleted'] });
      continue;
    }
    if (have.product !== want.product.name) {
      changes.push({ action: 'delete', ...base, product: have.product, plan: have.plan, details: [`product ${have.product} → ${want.product.name}`] });
      changes.push({ action: 'create', ...base, details: [`replaces the ${have.product} instance`] });
      continue;
    }
    const details: string[] = [];
    if (have.plan !== want.plan) details.push(`plan ${have.plan} → ${want.plan}`);
    if (canonical(have.inputs) !== canonical(want.inputs)) details.push(`inputs ${canonical(have.inputs)} → ${canonical(want.inputs)}`);
    changes.push({ action: details.length > 0 ? 'update' : 'unchanged', ...base, details });
  }
  for (const have of input.existing) {
    if (wantedNames.has(have.name) || have.deletionRequested || have.workload?.shared) continue;
    changes.push({ action: 'delete', resource: have.workload?.resource ?? have.name, instance: have.name, product: have.product, plan: have.plan, details: ['no longer in the file'] });
  }
  for (const [id, have] of input.sharedReleasable) {
    if (wantedNames.has(have.name) || have.deletionRequested) continue;
    changes.push({ action: 'delete', resource: id, instance: have.name, product: have.product, plan: have.plan, details: ['shared, and no workload names it any more'] });
  }
  return changes;
}

/** JSON with sorted keys, so equal inputs compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v);
}
