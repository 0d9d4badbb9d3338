import type { CreateInstanceRequest, Instance, RequestInterface } from '@paved/model';
import type { Principal } from '../access/principal.js';
import type { InstanceService, InstanceWatchEvent, InstanceWatchRequest } from './service.js';

/**
 * A create followed as the watch follows an instance (a create with `?wait=ready`): subscribed
 * before the insert, so that none of the new instance's changes is missed (the engine may take
 * it before the create returns); the listener is first told the instance as created, with no
 * read, then every change. Through the service's own `create` (authorization, deprecations,
 * holds, policies, quotas): refused there, nothing is followed. `recorded`: the request's audit
 * record being written (InstanceService.create). Returns the created instance and the function
 * that stops following it.
 */
export async function createWatched(
  instances: InstanceService, principal: Principal, team: string, request: CreateInstanceRequest, via: RequestInterface, listener: (event: InstanceWatchEvent) => void,
  recorded?: Promise<void>, watchRequest?: InstanceWatchRequest,
): Promise<{ instance: Instance; stop: () => void }> {
  const following = instances.followNew(listener, watchRequest);
  let instance: Instance;
  try {
    instance = await instances.create(principal, team, request, via, recorded);
  } catch (error) {
    following.stop();
    throw error;
  }
  // The store tells a create's insert once, before create returns: that change is in `instance`.
  following.start(instance, 1);
  return { instance, stop: following.stop };
}
