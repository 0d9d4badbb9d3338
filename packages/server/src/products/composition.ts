import {
  COMPOSITE_DRIVER, InputError, isPavedError, orderIncludes, parseOutputFrom, resolvePlan, validateInputs,
  type FieldIssue, type IncludeSpec, type ProductManifest, type ProductVersion,
} from '@paved/model';
import type { Store } from '@paved/store';

/**
 * Publish-time checks of composition (`spec.includes`, `outputs.*.from`), so that a mistake
 * fails `paved apply` naming the manifest path instead of failing every instance later. Every
 * problem is reported at once, each with its path (spec.includes[1].product, …).
 */
export async function assertCompositionValid(manifest: ProductManifest, store: Store): Promise<void> {
  const issues = manifest.spec.driver === COMPOSITE_DRIVER ? await compositeIssues(manifest, store) : nonCompositeIssues(manifest);
  const first = issues[0];
  if (first === undefined) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new InputError(`${first.path}: ${first.message}${more}`, { code: 'composition_invalid', issues });
}

function nonCompositeIssues(manifest: ProductManifest): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (manifest.spec.includes !== undefined) issues.push({ path: 'spec.includes', message: `only composite products (spec.driver: ${COMPOSITE_DRIVER}) include parts` });
  for (const [name, output] of Object.entries(manifest.spec.outputs)) {
    if (output.from !== undefined) issues.push({ path: `spec.outputs.${name}.from`, message: `only composite products (spec.driver: ${COMPOSITE_DRIVER}) take outputs from parts` });
  }
  return issues;
}

async function compositeIssues(manifest: ProductManifest, store: Store): Promise<FieldIssue[]> {
  const includes = manifest.spec.includes ?? [];
  if (includes.length === 0) return [{ path: 'spec.includes', message: 'a composite product must include at least one part' }];
  const issues: FieldIssue[] = [];
  const parts = new Map<string, ProductVersion>();
  const names = new Set<string>();
  for (const [index, include] of includes.entries()) {
    const at = `spec.includes[${index}]`;
    if (names.has(include.name)) issues.push({ path: `${at}.name`, message: `part "${include.name}" is named twice` });
    names.add(include.name);
    const product = await includedProduct(manifest, include, at, store, issues);
    if (product !== undefined) parts.set(include.name, product);
  }
  for (const [index, include] of includes.entries()) {
    for (const [j, dependency] of (include.dependsOn ?? []).entries()) {
      if (!names.has(dependency)) issues.push({ path: `spec.includes[${index}].dependsOn[${j}]`, message: `no part named "${dependency}" (parts: ${[...names].join(', ')})` });
    }
  }
  const ordered = orderIncludes(includes);
  if ('cycle' in ordered) issues.push({ path: 'spec.includes', message: `dependsOn has a cycle: ${ordered.cycle.join(' → ')}` });
  issues.push(...outputIssues(manifest, parts));
  return issues;
}

/** The included product version, checked: exists, not this product (even through other composites), plan and inputs valid. */
async function includedProduct(manifest: ProductManifest, include: IncludeSpec, at: string, store: Store, issues: FieldIssue[]): Promise<ProductVersion | undefined> {
  const self = manifest.metadata.name;
  if (include.product === self) {
    issues.push({ path: `${at}.product`, message: `a product cannot include itself` });
    return undefined;
  }
  const product = await store.getProductVersion(include.product, include.version);
  if (product === undefined) {
    const exists = include.version !== undefined && (await store.getProductVersion(include.product)) !== undefined;
    issues.push(exists
      ? { path: `${at}.version`, message: `product "${include.product}" has no version ${include.version}` }
      : { path: `${at}.product`, message: `no product "${include.product}" is published (see: paved products)` });
    return undefined;
  }
  const loop = await includesTransitively(product, self, store, new Set());
  if (loop !== undefined) issues.push({ path: `${at}.product`, message: `"${include.product}" includes ${self} (${[include.product, ...loop].join(' → ')}): a product cannot include itself` });
  try {
    resolvePlan(product.manifest, include.plan);
  } catch (error) {
    if (!isPavedError(error)) throw error;
    issues.push({ path: `${at}.plan`, message: error.issues[0]?.message ?? error.message });
  }
  try {
    validateInputs(product.manifest, include.inputs ?? {});
  } catch (error) {
    if (!isPavedError(error)) throw error;
    issues.push(...error.issues.map((issue) => ({ path: `${at}.${issue.path}`, message: issue.message })));
  }
  return product;
}

/** The chain of products by which `product` includes `target` (at their latest or pinned versions), if it does. */
async function includesTransitively(product: ProductVersion, target: string, store: Store, seen: Set<string>): Promise<string[] | undefined> {
  if (seen.has(product.name)) return undefined;
  seen.add(product.name);
  for (const include of product.manifest.spec.includes ?? []) {
    if (include.product === target) return [target];
    const next = await store.getProductVersion(include.product, include.version);
    if (next === undefined) continue;
    const rest = await includesTransitively(next, target, store, seen);
    if (rest !== undefined) return [include.product, ...rest];
  }
  return undefined;
}

function outputIssues(manifest: ProductManifest, parts: ReadonlyMap<string, ProductVersion>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const partNames = (manifest.spec.includes ?? []).map((include) => include.name);
  for (const [name, output] of Object.entries(manifest.spec.outputs)) {
    const at = `spec.outputs.${name}.from`;
    if (output.from === undefined) {
      issues.push({ path: at, message: 'a composite product takes every output from a part: set from: "<part>.<output>"' });
      continue;
    }
    const ref = parseOutputFrom(output.from);
    if (ref === undefined) {
      issues.push({ path: at, message: `"${output.from}" is not "<part>.<output>"` });
      continue;
    }
    if (!partNames.includes(ref.part)) {
      issues.push({ path: at, message: `no part named "${ref.part}" (parts: ${partNames.join(', ')})` });
      continue;
    }
    const part = parts.get(ref.part);
    if (part === undefined) continue; // its include is already reported
    const declared = part.manifest.spec.outputs;
    const source = Object.hasOwn(declared, ref.output) ? declared[ref.output] : undefined;
    if (source === undefined) {
      issues.push({ path: at, message: `product "${part.name}" ${part.version} has no output "${ref.output}" (it has: ${Object.keys(declared).join(', ')})` });
    } else if (source.secret === true && output.secret === false) {
      issues.push({ path: `spec.outputs.${name}.secret`, message: `"${output.from}" is secret; a composite output taken from it must be secret too (remove secret: false)` });
    }
  }
  return issues;
}
