import type { Instance, InstanceHold, RequestInterface, UpdateInstanceRequest } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import { DelegatingInstanceService } from '../instances/delegating.js';
import type { InstanceService } from '../instances/service.js';

/** What an instance shows of its hold: why, who and when (its id is the instance's own). */
function withHold(instance: Instance, hold: InstanceHold | undefined): Instance {
  return hold === undefined ? instance : { ...instance, hold: { reason: hold.reason, heldBy: hold.heldBy, heldAt: hold.heldAt } };
}

/**
 * The instance service with holds shown (docs/rollouts.md#holding-an-instance): an instance held
 * on its version (`paved hold`) carries `hold`. Reads (one instance, a page) have it from the
 * store's instance view, in the same statement (store rows.ts selectInstanceViews); this wrapper
 * adds it to what the changes answer. Authorization wraps it. A new instance has no hold yet,
 * and deleting or revealing shows none.
 */
export class HoldAwareInstanceService extends DelegatingInstanceService {
  constructor(inner: InstanceService, private readonly store: Store) {
    super(inner);
  }

  override async update(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<Instance> {
    return this.annotate(await this.inner.update(principal, team, name, request, via));
  }

  override async rotate(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.rotate(principal, team, name));
  }

  override async reconcile(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.reconcile(principal, team, name));
  }

  private async annotate(instance: Instance): Promise<Instance> {
    return withHold(instance, await this.store.getHold(instance.id));
  }
}
