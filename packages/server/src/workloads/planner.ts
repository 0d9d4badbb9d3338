import {
  checkPlaceholders, COMPOSITE_DRIVER, COMPOSITE_TARGET, isPavedError, productForScoreType, RESOLVED_VALUE, resolvePlan, resourceRefs, scoreTypesServed,
  servicePorts, sharedInstanceName, validateInputs, WAITING_FOR_VALUE, workloadInstanceName,
  type Environment, type Instance, type ProductVersion, type ResourceOutputs, type ScoreProblem, type ScoreResource, type ScoreServicePort,
  type ScoreWorkload, type WorkloadChange,
} from '@paved/model';
import type { Target } from '@paved/driver-api';
import { selectTarget } from '../instances/target-selection.js';
import { BUILT_IN_KINDS, isBuiltInKind, resolveBuiltIn, SCORE_DRIVER } from './builtin.js';
import { canonical } from './canonical.js';
import { resolveParams } from './params.js';
import { readScoreTarget } from './score-target.js';


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
  /** The team's name (a dns hostname's pattern may use it). */
  team: string;
  service: string;
  environment: Environment;
  workload: ScoreWorkload;
  /** Latest version of every published product, by name (Score `type` = product name, or one of its spec.score.types). */
  products: ReadonlyMap<string, ProductVersion>;
  targets: readonly Target[];
  /** The instances this service's workload has in the environment (shared ones it created included). */
  existing: readonly Instance[];
  /** Shared instances of the team named by the file's ids, by shared id (absent: not created yet). */
  sharedExisting: ReadonlyMap<string, Instance>;
  /** Shared ids this service named last time that no other workload of the team names: deleted when dropped now. */
  sharedReleasable: ReadonlyMap<string, Instance>;
  /** The ports each workload of the team published in the environment, by service name (a `service` resource reaches them). */
  workloads?: ReadonlyMap<string, Readonly<Record<string, ScoreServicePort>>>;
  /** The service's own config values in the environment (an `environment` resource's outputs, over the environment's variables). */
  config?: Readonly<Record<string, string>>;
}

export interface PlannedWorkload {
  desired: DesiredInstance[];
  changes: WorkloadChange[];
  notes: string[];
  /** Problems that make the file unusable here; the caller throws them (nothing is written). */
  problems: ScoreProblem[];
  sharedIds: string[];
}

/** A resource of the file with the product its type maps to, on its way to a desired instance. */
interface Candidate {
  resource: string;
  spec: ScoreResource;
  product: ProductVersion;
  plan: string;
  target: Target;
  name: string;
}

/**
 * What applying a Score workload to an environment would change: pure (no I/O), so `paved
 * plan` and apply share it and tests need nothing but data. Every problem is collected, never
 * thrown halfway, so an apply validates the whole file before it writes anything.
 */
export function planWorkload(input: WorkloadPlanInput): PlannedWorkload {
  const problems: ScoreProblem[] = [];
  const notes: string[] = [];
  const env = input.environment;
  const outputs: ResourceOutputs = {};
  const unmapped = new Map<string, string[]>();
  const candidates: Candidate[] = [];

  for (const [resource, spec] of Object.entries(input.workload.resources ?? {})) {
    const at = ['resources', resource];
    const match = productForScoreType(spec.type, input.products.values());
    if (match === undefined) {
      unmapped.set(spec.type, [...(unmapped.get(spec.type) ?? []), resource]);
      continue;
    }
    if ('ambiguous' in match) {
      problems.push({ path: [...at, 'type'], message: `Score type "${spec.type}" is claimed by several products (${match.ambiguous.join(', ')}) in their spec.score.types: their platform team must keep one` });
      continue;
    }
    const { product } = match;
    const manifest = product.manifest;
    outputs[resource] = { type: spec.type, outputs: Object.keys(manifest.spec.outputs), open: manifest.spec.score?.openOutputs === true };
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
    const target = attempt(() => targetFor(manifest, input), [...at, 'type'], problems);
    if (!target) continue;
    const name = spec.id !== undefined ? sharedInstanceName(spec.id, env.name) : workloadInstanceName(input.service, resource, env.name);
    candidates.push({ resource, spec, product, plan, target, name });
  }
  reportUnmapped(unmapped, input.products, problems);
  const desired = resolveCandidates(candidates, input, problems, notes);
  problems.push(...checkPlaceholders(input.workload, outputs, new Set([...unmapped.values()].flat())));
  noteMissingValues(input, candidates, desired, notes);
  addBakedIn(input, desired, notes);

  const changes = diff(input, desired, notes);
  const sharedIds = Object.values(input.workload.resources ?? {}).flatMap((r) => (r.id === undefined ? [] : [r.id]));
  return { desired, changes, notes, problems, sharedIds };
}

/**
 * Every type no product serves, at once: one problem per resource (each names its line), and
 * one that says what to do about all of them. Placeholders naming those resources are not
 * reported again: the type is the one thing to fix.
 */
function reportUnmapped(unmapped: ReadonlyMap<string, string[]>, products: WorkloadPlanInput['products'], problems: ScoreProblem[]): void {
  if (unmapped.size === 0) return;
  const served = scoreTypesServed(products.values()).join(', ') || 'none';
  for (const [type, resources] of unmapped) {
    for (const resource of resources) problems.push({ path: ['resources', resource, 'type'], message: `no product serves Score type "${type}" here (types served: ${served})` });
  }
  const types = [...unmapped.keys()];
  problems.push({
    path: ['resources'],
    message: `${types.length === 1 ? 'type' : 'types'} ${types.join(', ')} ${types.length === 1 ? 'needs' : 'need'} a product: a platform team maps each to a product of its own by listing it in that product's spec.score.types (e.g. spec.score.types: [${types[0]}]), then this file applies unchanged (docs/workloads.md#types-a-platform-maps)`,
  });
}

/**
 * Params (placeholders filled in) and inputs of every candidate; for a built-in type, its
 * outputs too. A built-in's params may name another built-in's outputs (a route's host is the
 * dns resource's), so candidates are resolved in rounds until every one that can be is.
 */
function resolveCandidates(candidates: readonly Candidate[], input: WorkloadPlanInput, problems: ScoreProblem[], notes: string[]): DesiredInstance[] {
  const known = new Map<string, Record<string, string>>();
  const builtIns = new Set(candidates.filter((c) => isBuiltIn(c.product)).map((c) => c.resource));
  const typeOf = (resource: string) => input.workload.resources?.[resource]?.type;
  const desired = new Map<string, DesiredInstance>();
  let left = [...candidates];
  while (left.length > 0) {
    const next: Candidate[] = [];
    for (const candidate of left) {
      const at = ['resources', candidate.resource];
      const pending = new Set([...builtIns].filter((r) => !known.has(r) && r !== candidate.resource));
      const found = problems.length;
      const params = resolveParams(candidate.spec.params ?? {}, [...at, 'params'], input.workload, known, pending, typeOf, problems);
      if (problems.length > found) continue; // its params are wrong: said once, nothing more about it
      if (params === undefined) {
        next.push(candidate);
        continue;
      }
      const want = desiredFor(candidate, params, input, problems, notes);
      if (want === undefined) continue;
      desired.set(candidate.resource, want);
      const resolved = want.inputs[RESOLVED_VALUE];
      if (resolved) known.set(candidate.resource, resolved as Record<string, string>);
    }
    if (next.length === left.length) {
      for (const candidate of next) problems.push({ path: ['resources', candidate.resource, 'params'], message: 'names outputs of resources that in turn wait for it (a cycle)' });
      break;
    }
    left = next;
  }
  // The file's order, whatever order the rounds resolved them in.
  return candidates.flatMap((c) => desired.get(c.resource) ?? []);
}

const isBuiltIn = (product: ProductVersion) => product.manifest.spec.driver === SCORE_DRIVER;

function desiredFor(candidate: Candidate, params: Record<string, unknown>, input: WorkloadPlanInput, problems: ScoreProblem[], notes: string[]): DesiredInstance | undefined {
  const at = ['resources', candidate.resource];
  const { product, spec } = candidate;
  const builtIn = isBuiltIn(product);
  if (builtIn) {
    const reserved = [RESOLVED_VALUE, WAITING_FOR_VALUE].filter((key) => Object.hasOwn(params, key));
    for (const key of reserved) problems.push({ path: [...at, 'params', key], message: 'is set by Paved, not by the file' });
    if (reserved.length > 0) return undefined;
  }
  const inputs = attempt(() => validateInputs(product.manifest, params), [...at, 'params'], problems);
  if (!inputs) return undefined;
  const shared = spec.id !== undefined;
  const want: DesiredInstance = { resource: spec.id ?? candidate.resource, name: candidate.name, product, plan: candidate.plan, inputs, target: candidate.target.name, shared };
  if (!builtIn) return want;
  if (!isBuiltInKind(product.name)) {
    problems.push({ path: [...at, 'type'], message: `product ${product.name} uses driver ${SCORE_DRIVER}, which serves only Paved's built-in types (${BUILT_IN_KINDS.join(', ')})` });
    return undefined;
  }
  const target = readScoreTarget(candidate.target);
  for (const message of target.problems) problems.push({ path: [...at, 'type'], message });
  const resolution = resolveBuiltIn({
    kind: product.name, team: input.team, service: shared ? spec.id! : input.service, environment: input.environment, resource: spec.id ?? candidate.resource,
    instance: candidate.name, params: inputs, target: target.config, ownPorts: servicePorts(input.workload), workloads: input.workloads ?? new Map(), config: input.config ?? {},
  });
  for (const problem of resolution.problems) problems.push({ path: [...at, 'params', ...problem.path], message: problem.message });
  for (const note of resolution.notes) notes.push(`${candidate.resource}: ${note}`);
  if (resolution.problems.length > 0) return undefined;
  want.inputs = { ...inputs, [RESOLVED_VALUE]: resolution.resolved, ...(resolution.waitingFor === undefined ? {} : { [WAITING_FOR_VALUE]: resolution.waitingFor }) };
  return want;
}

/** An `environment` resource's placeholder naming a value that is set nowhere: a note, so plan says it before a run fails. */
function noteMissingValues(input: WorkloadPlanInput, candidates: readonly Candidate[], desired: readonly DesiredInstance[], notes: string[]): void {
  for (const candidate of candidates) {
    if (candidate.product.name !== 'environment' || !isBuiltIn(candidate.product)) continue;
    const values = desired.find((d) => d.name === candidate.name)?.inputs[RESOLVED_VALUE] as Record<string, string> | undefined;
    if (!values) continue;
    const missing = [...new Set(resourceRefs(input.workload).filter(([r, o]) => r === candidate.resource && o !== '' && !Object.hasOwn(values, o)).map(([, o]) => o))];
    for (const name of missing) {
      notes.push(`${candidate.resource}: ${name} is not set in ${input.environment.name}; set it with: paved config set ${input.service} ${name}=VALUE --env ${input.environment.name}`);
    }
  }
}

/**
 * The target a new instance goes on in the environment. A composite has none of its own (the
 * engine gives each part its target, as `paved create` does): each part's product must have a
 * target here, so a file that cannot be provisioned is still refused before anything is written.
 */
function targetFor(manifest: ProductVersion['manifest'], input: WorkloadPlanInput, seen: ReadonlySet<string> = new Set()): Target {
  if (manifest.spec.driver !== COMPOSITE_DRIVER) return selectTarget(manifest, input.targets, input.environment.targetSelector);
  for (const include of manifest.spec.includes ?? []) {
    const part = input.products.get(include.product);
    if (part && !seen.has(part.name)) targetFor(part.manifest, input, new Set([...seen, manifest.metadata.name]));
  }
  return { name: COMPOSITE_TARGET, driver: COMPOSITE_DRIVER, labels: {}, config: {} };
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
      target = targetFor(manifest, input).name;
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
    if (canonical(have.inputs) !== canonical(want.inputs)) details.push(describeInputsChange(have.inputs, want.inputs));
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

/**
 * What changes in an instance's inputs, for `paved plan`. For a built-in type whose params
 * stay and whose worked-out outputs change (another workload's port, a config value), the
 * outputs that change, not two copies of the whole record.
 */
function describeInputsChange(have: Record<string, unknown>, want: Record<string, unknown>): string {
  const { [RESOLVED_VALUE]: before = {}, [WAITING_FOR_VALUE]: _w1, ...haveParams } = have as Record<string, Record<string, string> | undefined>;
  const { [RESOLVED_VALUE]: after = {}, [WAITING_FOR_VALUE]: _w2, ...wantParams } = want as Record<string, Record<string, string> | undefined>;
  if (canonical(haveParams) !== canonical(wantParams) || (have[RESOLVED_VALUE] === undefined && want[RESOLVED_VALUE] === undefined)) {
    return `inputs ${canonical(have)} → ${canonical(want)}`;
  }
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().filter((name) => before[name] !== after[name]);
  const show = (value: string | undefined) => (value === undefined ? '(none)' : value);
  if (names.length > 0) return `outputs ${names.map((name) => `${name} ${show(before[name])} → ${show(after[name])}`).join(', ')}`;
  return typeof want[WAITING_FOR_VALUE] === 'string' ? `waits for ${want[WAITING_FOR_VALUE]}` : 'waits no more';
}
