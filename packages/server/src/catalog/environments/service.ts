import { NotFoundError, assertName, checkConfigValues, type CreateEnvironmentRequest, type Environment, type UpdateEnvironmentRequest } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../../access/principal.js';

/** Environments (dev, staging, prod…) with their target selector and policies. */
export interface EnvironmentService {
  list(principal: Principal): Promise<Environment[]>;
  get(principal: Principal, name: string): Promise<Environment>;
  create(principal: Principal, request: CreateEnvironmentRequest): Promise<Environment>;
  update(principal: Principal, name: string, request: UpdateEnvironmentRequest): Promise<Environment>;
}

export class DefaultEnvironmentService implements EnvironmentService {
  constructor(private readonly store: Store) {}

  list(_principal: Principal): Promise<Environment[]> {
    return this.store.listEnvironments();
  }

  async get(_principal: Principal, name: string): Promise<Environment> {
    return findEnvironment(this.store, name);
  }

  create(_principal: Principal, request: CreateEnvironmentRequest): Promise<Environment> {
    if (request.variables) checkConfigValues(request.variables, 'variables');
    return this.store.createEnvironment({
      name: assertName('name', request.name),
      description: request.description ?? '',
      targetSelector: request.targetSelector ?? {},
      policies: request.policies ?? {},
      variables: request.variables ?? {},
    });
  }

  /** A change of `variables` reaches each service's `environment` resource at its next apply (`paved plan` shows it). */
  async update(_principal: Principal, name: string, request: UpdateEnvironmentRequest): Promise<Environment> {
    if (request.variables) checkConfigValues(request.variables, 'variables');
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
