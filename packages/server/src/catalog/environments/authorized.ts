import { NotAllowedError, type CreateEnvironmentRequest, type Environment, type UpdateEnvironmentRequest } from '@paved/model';
import type { Principal } from '../../access/principal.js';
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
    requireAdmin(principal);
    return this.inner.create(principal, request);
  }

  update(principal: Principal, name: string, request: UpdateEnvironmentRequest): Promise<Environment> {
    requireAdmin(principal);
    return this.inner.update(principal, name, request);
  }
}

function requireAdmin(principal: Principal): void {
  if (principal.user.admin) return;
  throw new NotAllowedError('Only platform admins may add or change environments.', { code: 'admin_required', issues: [{ path: 'environment', message: 'platform admins only' }] });
}
