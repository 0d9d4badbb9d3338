import {
  NotAllowedError, isPavedError,
  type CreateInstanceRequest, type Credentials, type Instance, type Page, type PageRequest, type PavedEvent, type RequestInterface, type RequestPreview, type UpdateInstanceRequest,
} from '@paved/model';
import type { NewEvent, ReadyRider, SecretEnvelopeRow, Store } from '@paved/store';
import { instanceNotFound, type InstanceListRequest, type InstanceService, type InstanceWatchEvent, type InstanceWatchRequest } from './service.js';
import type { InstanceFollow } from './follow.js';
import { can, teamFor, type Principal, type TeamAccess } from '../access/principal.js';

/**
 * Who may do what with a team's instances: viewers read, members and owners also change,
 * delete, reveal, rotate and reconcile, platform admins do everything. Instance names of a team
 * the caller is not in are answered with "not found", so that asking does not reveal whether an
 * instance exists.
 */
export class AuthorizedInstanceService implements InstanceService {
  constructor(private readonly inner: InstanceService, private readonly store: Store) {}

  async create(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface, recorded?: Promise<void>): Promise<Instance> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.create(principal, team, request, via, recorded);
  }

  /** A dry run needs the right to do it: it tells what the team's usage is. */
  async previewCreate(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface): Promise<RequestPreview> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.previewCreate(principal, team, request, via);
  }

  async previewUpdate(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<RequestPreview> {
    await this.instanceAccess(principal, team, name, 'write');
    return this.inner.previewUpdate(principal, team, name, request, via);
  }

  async list(principal: Principal, team: string, page: InstanceListRequest): Promise<Page<Instance>> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.list(principal, team, page);
  }

  /** For a caller who may read the team, as getKept; any refusal is `list`'s to say. */
  listKept(principal: Principal, team: string, page: InstanceListRequest): Page<Instance> | undefined {
    const found = principal.reads?.keptTeam(team);
    return found !== undefined && can(principal, found.id, 'read') ? this.inner.listKept?.(principal, team, page) : undefined;
  }

  async events(principal: Principal, team: string, page: PageRequest): Promise<Page<PavedEvent>> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.events(principal, team, page);
  }

  async get(principal: Principal, team: string, name: string): Promise<Instance> {
    await this.instanceAccess(principal, team, name, 'read');
    return this.inner.get(principal, team, name);
  }

  /** For a caller who may read the team, as found under the request's auth epoch (teamFor's check); any refusal is `get`'s to say. */
  getKept(principal: Principal, team: string, name: string): Instance | undefined {
    const found = principal.reads?.keptTeam(team);
    return found !== undefined && can(principal, found.id, 'read') ? this.inner.getKept?.(principal, team, name) : undefined;
  }

  async update(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<Instance> {
    await this.instanceAccess(principal, team, name, 'write');
    return this.inner.update(principal, team, name, request, via);
  }

  async delete(principal: Principal, team: string, name: string): Promise<Instance> {
    await this.instanceAccess(principal, team, name, 'write');
    return this.inner.delete(principal, team, name);
  }

  async revealCredentials(principal: Principal, team: string, name: string, watched?: Instance, sealedCredentials?: SecretEnvelopeRow | null, underAuthEpoch?: number): Promise<Credentials> {
    await this.instanceAccess(principal, team, name, 'write');
    return this.inner.revealCredentials(principal, team, name, watched, sealedCredentials, underAuthEpoch);
  }

  /** revealCredentials's authorization, made now from what is in hand (the team kept under the caller's epoch), or undefined: then revealCredentials. */
  revealEventAtReady(principal: Principal, team: string, watched: Instance, keys: readonly string[]): NewEvent | undefined {
    const found = principal.reads?.keptTeam(team);
    return found !== undefined && can(principal, found.id, 'write') ? this.inner.revealEventAtReady?.(principal, team, watched, keys) : undefined;
  }

  /** Authorized when its event was made (revealEventAtReady), under the auth epoch the Ready's statement confirmed. */
  revealRecorded(team: string, watched: Instance, sealedCredentials: SecretEnvelopeRow | null | undefined, recorded: NewEvent): Promise<Credentials> {
    return this.inner.revealRecorded!(team, watched, sealedCredentials, recorded);
  }

  rideOnReady(instanceId: string, rider: ReadyRider): (() => void) | undefined {
    return this.inner.rideOnReady?.(instanceId, rider);
  }

  async rotate(principal: Principal, team: string, name: string): Promise<Instance> {
    await this.instanceAccess(principal, team, name, 'write');
    return this.inner.rotate(principal, team, name);
  }

  async reconcile(principal: Principal, team: string, name: string): Promise<Instance> {
    await this.instanceAccess(principal, team, name, 'write');
    return this.inner.reconcile(principal, team, name);
  }

  /** A watch that will reveal the credentials needs what a reveal needs. */
  async watch(principal: Principal, team: string, name: string, listener: (event: InstanceWatchEvent) => void, request: InstanceWatchRequest = {}): Promise<() => void> {
    await this.instanceAccess(principal, team, name, request.forReveal ? 'write' : 'read');
    return this.inner.watch(principal, team, name, listener, request);
  }

  /** Nothing to authorize: it follows only an instance the caller's own (authorized) create returned. */
  followNew(listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): InstanceFollow {
    return this.inner.followNew(listener, request);
  }

  /** Outsiders get "not found" for every instance name; insiders with too small a role get 403. */
  private async instanceAccess(principal: Principal, team: string, name: string, access: TeamAccess): Promise<void> {
    try {
      await teamFor(this.store, principal, team, access);
    } catch (error) {
      if (error instanceof NotAllowedError && error.code === 'not_team_member') throw instanceNotFound(team, name);
      if (isPavedError(error) && error.code === 'role_insufficient') {
        await this.inner.get(principal, team, name); // an unknown name is still "not found" for a viewer
      }
      throw error;
    }
  }
}
