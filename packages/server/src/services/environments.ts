import { NotAllowedError, NotFoundError, assertName, type CreateEnvironmentRequest, type Environment, type UpdateEnvironmentRequest } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from './principal.js';

/** Environments: everyone signed in reads them; only platform admins add or change them. */
export class EnvironmentService {
  constructor(private readonly store: Store) {}

  list(_principal: Principal): Promise<Environment[]> {
    return this.store.listEnvironments();
  }

  async get(_principal: Principal, name: string): Promise<Environment> {
    return findEnvironment(this.store, name);
  }

  create(principal: Principal, request: CreateEnvironmentRequest): Promise<Environment> {
    requireAdmin(principal);
    return this.store.createEnvironment({
      name: assertName('name', request.name),
      description: request.description ?? '',
      targetSelector: request.targetSelector ?? {},
      policies: request.policies ?? {},
    });
  }

  async update(principal: Principal, name: string, request: UpdateEnvironmentRequest): Promise<Environment> {
    requireAdmin(principal);
    await findEnvironment(this.store, name);
    return this.store.updateEnvironment(name, request);
  }
}

export async function findEnvironment(store: Store, name: string): Promise<Environment> {
  const found = await store.getEnvironment(name);
  if (found) return found;
  throw new NotFoundError(`Environment "${name}" does not exist; see them with: paved environments`, {
    code: 'environment_not_found',
    issues: [{ path: 'environment', message: 'no such environment' }],
  });
}

function requireAdmin(principal: Principal): void {
  if (principal.user.admin) return;
  throw new NotAllowedError('Only platform admins may add or change environments.', { code: 'admin_required', issues: [{ path: 'environment', message: 'platform admins only' }] });
}
