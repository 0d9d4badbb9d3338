import type { IncludeSpec, Instance } from '@paved/model';

/**
 * What a composite instance's pass should do, as a pure function of its product's parts
 * (`spec.includes`, in dependency order) and the part instances that exist. No I/O: the
 * engine acts on the result, and tests read it directly.
 */

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
