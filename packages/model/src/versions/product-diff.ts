import type { ProductManifest } from '../types.js';
import { canonicalJson } from '../manifest-digest.js';
import { diffInputSchema } from './input-schema-diff.js';
import type { VersionChange, VersionDiff } from './version-change.js';

/**
 * Compares two versions of a product, `from` the older one a consumer relies on, `to` the newer
 * one. Breaking: an output or a plan removed, an input narrowed (input-schema-diff.ts), a secret
 * output made plain or a plain one made secret (values would move between the status and the
 * secret store, so whoever reads them finds nothing), the driver changed (the existing
 * resources were made by another driver). Pure, so the publish check, `paved products diff`
 * and the tests share it.
 */
export function diffProductVersions(from: ProductManifest, to: ProductManifest): VersionDiff {
  const changes: VersionChange[] = [];
  if (from.spec.driver !== to.spec.driver) {
    changes.push({ path: 'driver', breaking: true, message: `changed from ${from.spec.driver} to ${to.spec.driver}` });
  }
  changes.push(...diffPlans(from, to), ...diffOutputs(from, to), ...diffInputSchema(from.spec.inputs, to.spec.inputs));
  if (canonicalJson(from.spec.checks ?? []) !== canonicalJson(to.spec.checks ?? [])) {
    changes.push({ path: 'checks', breaking: false, message: `changed from ${show(from.spec.checks ?? [])} to ${show(to.spec.checks ?? [])}` });
  }
  return {
    product: to.metadata.name,
    from: from.spec.version,
    to: to.spec.version,
    breaking: changes.filter((c) => c.breaking),
    nonBreaking: changes.filter((c) => !c.breaking),
  };
}

function diffPlans(from: ProductManifest, to: ProductManifest): VersionChange[] {
  const changes: VersionChange[] = [];
  for (const name of union(from.spec.plans, to.spec.plans)) {
    const before = from.spec.plans[name];
    const after = to.spec.plans[name];
    const path = `plans.${name}`;
    if (!after) changes.push({ path, breaking: true, message: 'removed' });
    else if (!before) changes.push({ path, breaking: false, message: 'added' });
    else if (canonicalJson(before) !== canonicalJson(after)) changes.push({ path, breaking: false, message: 'changed' });
  }
  return changes;
}

function diffOutputs(from: ProductManifest, to: ProductManifest): VersionChange[] {
  const changes: VersionChange[] = [];
  for (const name of union(from.spec.outputs, to.spec.outputs)) {
    const before = from.spec.outputs[name];
    const after = to.spec.outputs[name];
    const path = `outputs.${name}`;
    if (!after) changes.push({ path, breaking: true, message: 'removed' });
    else if (!before) changes.push({ path, breaking: false, message: 'added' });
    else if ((before.secret === true) !== (after.secret === true)) {
      changes.push({ path: `${path}.secret`, breaking: true, message: before.secret ? 'changed from secret to non-secret' : 'changed from non-secret to secret' });
    } else if (before.from !== after.from) {
      changes.push({ path: `${path}.from`, breaking: false, message: `changed from ${show(before.from)} to ${show(after.from)}` });
    }
  }
  return changes;
}

function union(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function show(value: unknown): string {
  return JSON.stringify(value);
}
