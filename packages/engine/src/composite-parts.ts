import type { Target } from '@paved/driver-api';
import {
  COMPOSITE_DRIVER, COMPOSITE_TARGET, DriverError, externalNameFor, partInstanceName, resolvePlan, validateInputs,
  type IncludeSpec, type Instance, type ProductManifest,
  newId,
} from '@paved/model';
import type { NewInstance } from '@paved/store';
import type { PartSpec } from './composite-plan.js';
import type { Pass } from './pass.js';

/**
 * The product version of a part: the include's version, or the latest when it names none (the
 * part is then pinned to the version it was created with, like any instance).
 */
export async function partSpec(pass: Pass, include: IncludeSpec, current?: Instance): Promise<PartSpec> {
  const version = include.version ?? current?.productVersion;
  const product = version === undefined ? await pass.deps.store.getProductVersion(include.product) : await pass.deps.productVersion(include.product, version);
  if (product === undefined) {
    throw new DriverError(`part ${include.name} needs product ${include.product}${version === undefined ? '' : `@${version}`}, which is not published; publish it with "paved apply -f"`, { retryable: false });
  }
  // Checked at publish time too; a product edited since is caught here, naming the part.
  return { product, plan: resolvePlan(product.manifest, include.plan), inputs: validateInputs(product.manifest, include.inputs ?? {}) };
}

/** As the API picks a target for a new instance: the first configured target of the driver with every selector label. */
export function partTarget(manifest: ProductManifest, targets: readonly Target[]): string {
  const { driver } = manifest.spec;
  if (driver === COMPOSITE_DRIVER) return COMPOSITE_TARGET;
  const selector = manifest.spec.targets?.selector ?? {};
  const match = targets.find((t) => t.driver === driver && Object.entries(selector).every(([k, v]) => t.labels[k] === v));
  if (match !== undefined) return match.name;
  const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(', ');
  throw new DriverError(`no target is configured for driver "${driver}"${labels ? ` with labels ${labels}` : ''} (product ${manifest.metadata.name}); ask the platform team to add one`, { retryable: false });
}

/**
 * Creates part `include` of the composite instance. The part row is the record (no separate
 * intent): creation is idempotent by (team, name), so a pass that crashed after creating it
 * finds it by name and carries on. A same-named instance that is not this composite's part is
 * a conflict the requester must resolve.
 */
export async function createPart(pass: Pass, include: IncludeSpec, spec: PartSpec): Promise<Instance> {
  const { store } = pass.deps;
  const parent = pass.instance;
  const name = partInstanceName(parent.name, include.name);
  const existing = await store.getInstanceByName(parent.teamId, name);
  if (existing !== undefined) {
    if (existing.parent?.id === parent.id) return existing;
    throw new DriverError(`part ${include.name} would be instance "${name}", but team ${parent.teamName} already has an instance of that name; delete or rename it`, { retryable: false });
  }
  const id = newId();
  const input: NewInstance = {
    id,
    teamId: parent.teamId,
    name,
    product: spec.product.name,
    productVersion: spec.product.version,
    plan: spec.plan,
    inputs: spec.inputs,
    externalName: externalNameFor(parent.teamName, name, id),
    target: partTarget(spec.product.manifest, pass.deps.targets),
    createdBy: parent.createdBy,
    // No quota here: the parent's request claimed each part's product and plan (docs/policies.md#quotas).
    parent: { id: parent.id, part: include.name },
  };
  const workload = parent.workload;
  if (workload !== undefined) {
    const service = await store.getService(parent.teamId, workload.service);
    if (service !== undefined) input.workload = { serviceId: service.id, environment: workload.environment, resource: workload.resource, shared: workload.shared };
  }
  return store.createInstance(input);
}
