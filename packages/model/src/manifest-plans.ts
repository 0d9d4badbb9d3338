import { InputError } from './errors.js';
import type { ProductManifest } from './types.js';

/**
 * The plan a request gets when it names none: the one marked `default: true`, or the only
 * plan. parseProductManifest guarantees one of the two; for a manifest that skipped it, the
 * first plan listed.
 */
export function defaultPlan(manifest: ProductManifest): string {
  const names = Object.keys(manifest.spec.plans);
  const marked = names.find((name) => manifest.spec.plans[name]?.default === true);
  const chosen = marked ?? names[0];
  if (chosen === undefined) {
    throw new InputError(`product "${manifest.metadata.name}" ${manifest.spec.version} has no plans`, { code: 'plan_unknown', issues: [{ path: 'plan', message: 'the product has no plans' }] });
  }
  return chosen;
}

/** The plan to use for a request: the one named (which must exist) or the default. */
export function resolvePlan(manifest: ProductManifest, plan?: string): string {
  if (plan === undefined || plan === '') return defaultPlan(manifest);
  // Object.hasOwn, not `in`: "constructor" must not be a plan.
  if (Object.hasOwn(manifest.spec.plans, plan)) return plan;
  const fallback = defaultPlan(manifest);
  const choices = Object.keys(manifest.spec.plans).map((name) => (name === fallback ? `${name} (default)` : name));
  const message = `must be one of: ${choices.join(', ')}`;
  throw new InputError(`product "${manifest.metadata.name}" ${manifest.spec.version} has no plan ${JSON.stringify(plan)}; choose one of: ${choices.join(', ')}`, {
    code: 'plan_unknown',
    issues: [{ path: 'plan', message }],
  });
}

/** Names of the outputs that live only in the secret store, in manifest order. */
export function secretOutputNames(manifest: ProductManifest): string[] {
  return Object.entries(manifest.spec.outputs)
    .filter(([, output]) => output.secret === true)
    .map(([name]) => name);
}
