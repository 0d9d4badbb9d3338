import type { CreateEnvironmentRequest, Environment, UpdateEnvironmentRequest } from '@paved/model';
import { requireAdmin, type Principal } from '../../access/principal.js';
import type { EnvironmentService } from './service.js';

/** Everyone signed in reads environments; only platform admins add or change them. */
export class AuthorizedEnvironmentService implements EnvironmentService {
  constructor(private readonly inner: EnvironmentService) {}

  list(principal: Principal): Promise<Environment[]> {
    return this.inner.list(principal);
  }

  get(principal: Principal, name: string): Promise<Environment> {
    return this.inner.get(principal, name);
  }

  create(principal: Principal, request: CreateEnvironmentRequest): Promise<Environment> {
    requireAdmin(principal, 'add environments');
    return this.inner.create(principal, request);
  }

  update(principal: Principal, name: string, request: UpdateEnvironmentRequest): Promise<Environment> {
    requireAdmin(principal, 'change environments');
    return this.inner.update(principal, name, request);
  }
}
