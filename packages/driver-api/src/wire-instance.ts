/**
 * An instance as a program outside Paved's process receives it: the script driver writes it on
 * the script's stdin, the webhook driver POSTs it to the automation. Both send every field of
 * DriverInstance, so an automation knows all that a driver inside Paved knows.
 */
import type { DriverInstance } from './index.js';

/** DriverInstance on the wire: `rotation` is always there (0 before any rotation). */
export type WireInstance = Omit<DriverInstance, 'rotation'> & { rotation: number };

/** Every field of T, the optional ones too (as undefined when unset): a literal must name them all. */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

/**
 * The instance to serialise. Every field is named below, and the type insists on it: a field
 * added to DriverInstance fails to compile here until it is sent, instead of silently never
 * reaching scripts and webhooks. An unset optional field is undefined, which JSON leaves out.
 */
export function wireInstance(instance: DriverInstance): WireInstance {
  const wire: EveryField<WireInstance> = {
    id: instance.id,
    team: instance.team,
    name: instance.name,
    externalName: instance.externalName,
    product: instance.product,
    plan: instance.plan,
    values: instance.values,
    rotation: instance.rotation ?? 0,
    workload: instance.workload,
  };
  return wire;
}
