import { canonicalJson, type ProductManifest, type UpgradeChange } from '@paved/model';

/**
 * What changes for an instance on `plan` when it moves from one product version to another:
 * its inputs (the JSON Schema's properties and required list), its outputs, its plan's values
 * and limits (and the plans that come and go), and the driver. Pure: the preview of
 * `paved upgrade` and of a dry run is this list. It names differences for people; deciding
 * which are breaking is publishing's business.
 */
export function upgradeChanges(from: ProductManifest, to: ProductManifest, plan: string): UpgradeChange[] {
  return [...inputChanges(from, to), ...outputChanges(from, to), ...planChanges(from, to, plan), ...driverChanges(from, to)];
}

type Schema = { properties?: Record<string, unknown>; required?: string[] };

function inputChanges(from: ProductManifest, to: ProductManifest): UpgradeChange[] {
  const before = from.spec.inputs as Schema;
  const after = to.spec.inputs as Schema;
  const changes: UpgradeChange[] = [];
  const required = (schema: Schema, name: string) => (schema.required ?? []).includes(name);
  for (const [name, change] of keyed(before.properties ?? {}, after.properties ?? {})) {
    if (change === 'added') changes.push({ area: 'inputs', path: name, change, message: `new input ${name}${required(after, name) ? ' (required)' : ''}` });
    else if (change === 'removed') changes.push({ area: 'inputs', path: name, change, message: `input ${name} is gone` });
    else changes.push({ area: 'inputs', path: name, change, message: `input ${name} changed: ${canonicalJson(before.properties?.[name])} → ${canonicalJson(after.properties?.[name])}` });
  }
  for (const name of after.required ?? []) {
    if (!required(before, name) && before.properties?.[name] !== undefined) changes.push({ area: 'inputs', path: name, change: 'changed', message: `input ${name} is now required` });
  }
  return changes;
}

function outputChanges(from: ProductManifest, to: ProductManifest): UpgradeChange[] {
  const changes: UpgradeChange[] = [];
  for (const [name, change] of keyed(from.spec.outputs, to.spec.outputs)) {
    const secret = to.spec.outputs[name]?.secret === true;
    if (change === 'added') changes.push({ area: 'outputs', path: name, change, message: `new output ${name}${secret ? ' (secret)' : ''}` });
    else if (change === 'removed') changes.push({ area: 'outputs', path: name, change, message: `output ${name} is gone` });
    else if ((from.spec.outputs[name]?.secret === true) !== secret) changes.push({ area: 'outputs', path: name, change, message: `output ${name} is ${secret ? 'now secret' : 'no longer secret'}` });
  }
  return changes;
}

function planChanges(from: ProductManifest, to: ProductManifest, plan: string): UpgradeChange[] {
  const changes: UpgradeChange[] = [];
  const before = from.spec.plans[plan];
  const after = to.spec.plans[plan];
  if (before !== undefined && after === undefined) return [{ area: 'plans', path: plan, change: 'removed', message: `plan ${plan} does not exist in ${to.spec.version}` }];
  if (before !== undefined && after !== undefined) {
    const limits = (spec: typeof before): Record<string, unknown> => ({ ...(spec.values ?? {}), ...(spec.quota?.perTeam === undefined ? {} : { 'quota.perTeam': spec.quota.perTeam }), ...(spec.rotation?.gracePeriod === undefined ? {} : { 'rotation.gracePeriod': spec.rotation.gracePeriod }) });
    const was = limits(before);
    const will = limits(after);
    for (const [key, change] of keyed(was, will)) {
      const show = (value: unknown) => (value === undefined ? 'unset' : canonicalJson(value));
      changes.push({ area: 'plans', path: `${plan}.${key}`, change, message: `plan ${plan}: ${key} ${show(was[key])} → ${show(will[key])}` });
    }
  }
  for (const [name, change] of keyed(from.spec.plans, to.spec.plans)) {
    if (name === plan || change === 'changed') continue;
    changes.push({ area: 'plans', path: name, change, message: `plan ${name} ${change === 'added' ? 'is new' : 'is gone'}` });
  }
  return changes;
}

function driverChanges(from: ProductManifest, to: ProductManifest): UpgradeChange[] {
  if (from.spec.driver === to.spec.driver) return [];
  return [{ area: 'driver', path: 'driver', change: 'changed', message: `driver ${from.spec.driver} → ${to.spec.driver}` }];
}

/** Keys of two records that were added, removed or whose values differ, in sorted order. */
function keyed(before: Record<string, unknown>, after: Record<string, unknown>): [string, UpgradeChange['change']][] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: [string, UpgradeChange['change']][] = [];
  for (const name of names) {
    if (!(name in before)) out.push([name, 'added']);
    else if (!(name in after)) out.push([name, 'removed']);
    else if (canonicalJson(before[name]) !== canonicalJson(after[name])) out.push([name, 'changed']);
  }
  return out;
}
