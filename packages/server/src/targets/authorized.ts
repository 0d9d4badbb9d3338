import { requireAdmin, type Principal } from '../access/principal.js';
import type { TargetHealth } from '@paved/model';
import type { TargetService } from './service.js';

/** Targets are the platform's own plumbing: platform admins only (a read-only token will do). */
export class AuthorizedTargetService implements TargetService {
  constructor(private readonly inner: TargetService) {}

  list(principal: Principal): Promise<TargetHealth[]> {
    requireAdmin(principal, "list the platform's targets", 'read');
    return this.inner.list(principal);
  }
}
