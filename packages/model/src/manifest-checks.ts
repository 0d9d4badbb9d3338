import { InputError } from './errors.js';
import type { ProductManifest } from './types.js';

/**
 * Publish-time check of `spec.checks`: every name must be a contract check the product's
 * driver offers. Caught here, a typo fails `paved apply` with the list of valid names instead
 * of failing every instance of the product later. `offered` is the driver's check names
 * (empty for a driver that offers none).
 */
export function assertChecksOffered(manifest: ProductManifest, offered: readonly string[]): void {
  const wanted = manifest.spec.checks ?? [];
  const known = offered.length > 0 ? offered.join(', ') : 'none';
  const issues = wanted
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => !offered.includes(name))
    .map(({ name, index }) => ({ path: `spec.checks[${index}]`, message: `driver "${manifest.spec.driver}" offers no check "${name}" (it offers: ${known})` }));
  const first = issues[0];
  if (first === undefined) return;
  throw new InputError(`${first.path}: ${first.message}`, { code: 'check_unknown', issues });
}
