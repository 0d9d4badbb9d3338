import type { NewEvent, ReadyRider, SecretEnvelopeRow } from '@paved/store';
import type { CreateInstanceRequest, Credentials, Instance, Page, PageRequest, PavedEvent, RequestInterface, RequestPreview, UpdateInstanceRequest } from '@paved/model';
import type { Principal } from '../access/principal.js';
import type { InstanceFollow } from './follow.js';
import type { InstanceListRequest, InstanceService, InstanceWatchEvent, InstanceWatchRequest } from './service.js';

/**
 * An instance service that hands every call to `inner`: what a capability that adds to
 * instances (deprecations, holds) extends, overriding only the calls it changes.
 */
export class DelegatingInstanceService implements InstanceService {
  constructor(protected readonly inner: InstanceService) {}

  create(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface, recorded?: Promise<void>): Promise<Instance> {
    return this.inner.create(principal, team, request, via, recorded);
  }

  previewCreate(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface): Promise<RequestPreview> {
    return this.inner.previewCreate(principal, team, request, via);
  }

  previewUpdate(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<RequestPreview> {
    return this.inner.previewUpdate(principal, team, name, request, via);
  }

  get(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.inner.get(principal, team, name);
  }

  getKept(principal: Principal, team: string, name: string): Instance | undefined {
    // A capability that changes `get` must answer this itself: passing inner's answer through
    // would skip what it adds. Until it does, its gets take the promise.
    if (this.get !== DelegatingInstanceService.prototype.get) return undefined;
    return this.inner.getKept?.(principal, team, name);
  }

  list(principal: Principal, team: string, page: InstanceListRequest): Promise<Page<Instance>> {
    return this.inner.list(principal, team, page);
  }

  listKept(principal: Principal, team: string, page: InstanceListRequest): Page<Instance> | undefined {
    // As getKept: only a capability that leaves `list` as it is passes inner's page through.
    if (this.list !== DelegatingInstanceService.prototype.list) return undefined;
    return this.inner.listKept?.(principal, team, page);
  }

  update(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<Instance> {
    return this.inner.update(principal, team, name, request, via);
  }

  delete(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.inner.delete(principal, team, name);
  }

  revealCredentials(principal: Principal, team: string, name: string, watched?: Instance, sealedCredentials?: SecretEnvelopeRow | null, underAuthEpoch?: number): Promise<Credentials> {
    return this.inner.revealCredentials(principal, team, name, watched, sealedCredentials, underAuthEpoch);
  }

  revealEventAtReady(principal: Principal, team: string, watched: Instance, keys: readonly string[]): NewEvent | undefined {
    // As getKept: a capability that changes the reveal must make its own event, or none.
    if (this.revealCredentials !== DelegatingInstanceService.prototype.revealCredentials) return undefined;
    return this.inner.revealEventAtReady?.(principal, team, watched, keys);
  }

  revealRecorded(team: string, watched: Instance, sealedCredentials: SecretEnvelopeRow | null | undefined, recorded: NewEvent): Promise<Credentials> {
    return this.inner.revealRecorded!(team, watched, sealedCredentials, recorded);
  }

  rideOnReady(instanceId: string, rider: ReadyRider): (() => void) | undefined {
    return this.inner.rideOnReady?.(instanceId, rider);
  }

  rotate(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.inner.rotate(principal, team, name);
  }

  reconcile(principal: Principal, team: string, name: string): Promise<Instance> {
    return this.inner.reconcile(principal, team, name);
  }

  events(principal: Principal, team: string, page: PageRequest): Promise<Page<PavedEvent>> {
    return this.inner.events(principal, team, page);
  }

  watch(principal: Principal, team: string, name: string, listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): Promise<() => void> {
    return this.inner.watch(principal, team, name, listener, request);
  }

  followNew(listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): InstanceFollow {
    return this.inner.followNew(listener, request);
  }
}
