import { UnavailableError, type ProductManifest } from '@paved/model';
import type { Target } from '@paved/driver-api';

/**
 * The target a new instance of `manifest` is provisioned on: the first configured target that
 * runs the product's driver and carries every label of the product's selector. Order in the
 * configuration is the platform team's preference. `extraSelector` (an environment's target
 * selector) adds labels the target must carry too. Pure, so `paved plan` can reuse it.
 */
export function selectTarget(manifest: ProductManifest, targets: readonly Target[], extraSelector: Readonly<Record<string, string>> = {}): Target {
  const { driver } = manifest.spec;
  // An environment's labels (extraSelector) narrow the product's own selector further.
  const selector = { ...(manifest.spec.targets?.selector ?? {}), ...extraSelector };
  const match = targets.find((t) => t.driver === driver && Object.entries(selector).every(([k, v]) => t.labels[k] === v));
  if (match) return match;
  const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(', ');
  throw new UnavailableError(
    `No target is configured for driver "${driver}"${labels ? ` with labels ${labels}` : ''}; ask the platform team (owner of ${manifest.metadata.name}) to add one`,
    { code: 'no_target', issues: [{ path: 'product', message: `no ${driver} target${labels ? ` labelled ${labels}` : ''}` }] },
  );
}
