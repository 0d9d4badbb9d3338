import { ConflictError, type Instance, type InstancePart } from '@paved/model';
import type { Store } from '@paved/store';

/**
 * A part of a composite instance is managed through its parent: changing or deleting it alone
 * would break the unit (the parent's outputs, the deletion order). The requester acts on the parent.
 */
export function assertNotPart(instance: Instance, action: 'changed' | 'deleted' | 'rotated'): void {
  if (instance.parent === undefined) return;
  const { name, part } = instance.parent;
  throw new ConflictError(`${instance.name} is part "${part}" of ${name} and cannot be ${action} on its own; act on ${name} instead (paved get ${name})`, {
    code: 'part_of_composite',
    issues: [{ path: 'instance', message: `is part "${part}" of composite instance ${name}` }],
  });
}

/** The instance with its parts (for a composite; others unchanged), as `GET` shows one instance. */
export async function withParts(store: Store, instance: Instance): Promise<Instance> {
  return withPartsOf(instance, await store.listInstanceParts(instance.id));
}

/** The instance with `parts` summarised in it, as `GET` shows one instance; unchanged when there are none. */
export function withPartsOf(instance: Instance, parts: readonly Instance[]): Instance {
  if (parts.length === 0) return instance;
  return { ...instance, parts: parts.map(summarizePart) };
}

function summarizePart(part: Instance): InstancePart {
  return {
    part: part.parent?.part ?? part.name,
    name: part.name,
    product: part.product,
    productVersion: part.productVersion,
    plan: part.plan,
    phase: part.status.phase,
  };
}
