import type { CreateInstanceRequest, Credentials, Instance, InstanceHold, Page, PavedEvent, PageRequest, RequestPreview, UpdateInstanceRequest } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import type { InstanceListRequest, InstanceService, InstanceWatchEvent } from '../instances/service.js';

/** What an instance shows of its hold: why, who and when (its id is the instance's own). */
function withHold(instance: Instance, hold: InstanceHold | undefined): Instance {
  return hold === undefined ? instance : { ...instance, hold: { reason: hold.reason, heldBy: hold.heldBy, heldAt: hold.heldAt } };
}

/**
 * The instance service with holds shown (docs/rollouts.md#holding-an-instance): an instance held on its
 * version (`paved hold`) carries `hold`, in one read and in a listing (one query for the page).
 * A wrapper, so that holds stay the rollouts capability's; authorization wraps it.
 */
export class HoldAwareInstanceService implements InstanceService {
  constructor(private readonly inner: InstanceService, private readonly store: Store) {}

  async create(principal: Principal, team: string, request: CreateInstanceRequest): Promise<Instance> {
    // A new instance has no hold yet.
    return this.inner.create(principal, team, request);
  }

  previewCreate(principal: Principal, team: string, request: CreateInstanceRequest): Promise<RequestPreview> {
    return this.inner.previewCreate(principal, team, request);
  }

  previewUpdate(principal: Principal, team: string, name: string, request: UpdateInstanceRequest): Promise<RequestPreview> {
    return this.inner.previewUpdate(principal, team, name, request);
  }

  async get(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.get(principal, team, name));
  }

  async list(principal: Principal, team: string, page: InstanceListRequest): Promise<Page<Instance>> {
    const found = await this.inner.list(principal, team, page);
    const holds = new Map((await this.store.listHolds(found.items.map((i) => i.id))).map((h) => [h.instanceId, h]));
    return holds.size === 0 ? found : { ...found, items: found.items.map((i) => withHold(i, holds.get(i.id))) };
  }

  async update(principal: Principal, team: string, name: string, request: UpdateInstanceRequest): Promise<Instance> {
    return this.annotate(await this.inner.update(principal, team, name, request));
  }

  delete(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.inner.delete(principal, team, name);
  }

  revealCredentials(principal: Principal, team: string, name: string): Promise<Credentials> {
    return this.inner.revealCredentials(principal, team, name);
  }

  async rotate(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.rotate(principal, team, name));
  }

  async reconcile(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.annotate(await this.inner.reconcile(principal, team, name));
  }

  events(principal: Principal, team: string, page: PageRequest): Promise<Page<PavedEvent>> {
    return this.inner.events(principal, team, page);
  }

  watch(principal: Principal, team: string, name: string, listener: (event: InstanceWatchEvent) => void): Promise<() => void> {
    return this.inner.watch(principal, team, name, listener);
  }

  private async annotate(instance: Instance): Promise<Instance> {
    return withHold(instance, await this.store.getHold(instance.id));
  }
}
