import { COMPOSITE_DRIVER, type ProductVersion } from '@paved/model';
import { isoAt, type CreateIntent, type NewInstance } from '@paved/store';
import { GENERATED_SECRETS, withMissingGenerated } from './outputs.js';
import type { PassDeps } from './pass.js';
import { workingStatus } from './status.js';

/**
 * What the pass a create handed its claim to knows, in memory only: its intent (and these
 * generated secrets) was recorded by its own create, and no driver call has started. Only that
 * pass may create without observing on such an intent; any other pass that finds it (after a
 * crash, a lost lease, in another process) observes first, as after every recorded intent.
 */
export interface RecordedByCreate {
  /** The generated secret values the create stored, sealed: the ones the driver is given. */
  generated: Record<string, string>;
}

/**
 * The first pass's intent for a new instance this worker takes at its create, made at once
 * (Store.claimOnCreate, CreateClaimer.intentFor), so that the create's own transaction records
 * it and the pass calls the driver right after that commit (one transaction fewer on the path to
 * the credentials). Only when the pass would create without observing (first-pass.ts: the
 * driver declares createsUnobserved; a brand-new instance qualifies otherwise) and everything
 * it needs is in hand without waiting: the product version already read (`known`), its driver
 * and target loaded, the key new secrets are sealed with known (SecretStore.sealNow). Else
 * undefined: the pass records its intent itself, as it always did.
 */
export function intentAtCreate(
  deps: Pick<PassDeps, 'drivers' | 'targets' | 'secrets' | 'clock'>,
  known: (name: string, version: string) => ProductVersion | undefined,
  request: NewInstance & { id: string },
): { intent: CreateIntent; recorded: RecordedByCreate } | undefined {
  const product = known(request.product, request.productVersion);
  const driverType = product?.manifest.spec.driver;
  if (driverType === undefined || driverType === COMPOSITE_DRIVER) return undefined;
  const driver = deps.drivers[driverType];
  if (driver?.createsUnobserved !== true) return undefined;
  const target = deps.targets.find((candidate) => candidate.name === request.target);
  if (target === undefined) return undefined;
  const generated = withMissingGenerated(driver.secrets) ?? {};
  let secret: CreateIntent['secret'];
  if (Object.keys(generated).length > 0) {
    const sealed = deps.secrets.sealNow?.(request.id, GENERATED_SECRETS, generated);
    if (sealed === undefined) return undefined;
    secret = { name: GENERATED_SECRETS, ...sealed };
  }
  const subject = { product: request.product, productVersion: request.productVersion, target: target.name, externalName: request.externalName, generation: 1 };
  // From the status every request not held for approval starts with (the store's first status).
  const status = workingStatus({ phase: 'Pending', conditions: [] }, 'create', subject, isoAt(deps.clock.now()));
  return { intent: { status, pendingAction: 'create', ...(secret === undefined ? {} : { secret }) }, recorded: { generated } };
}
