import type { AuditExportLine, AuditKey, AuditQuery, AuditRecord, Page } from '@paved/model';
import type { Store } from '@paved/store';
import { requireAdmin, teamForOwnerRead, type Principal } from '../access/principal.js';
import type { AuditExportRequest, AuditService } from './service.js';

/**
 * The whole audit log is for platform admins (with a token not narrowed to one team; a
 * read-only token will do). A team's owners read and export their team's records (`team`).
 * Anyone signed in may read the public key: it proves, and reveals, nothing else.
 */
export class AuthorizedAuditService implements AuditService {
  constructor(private readonly inner: AuditService, private readonly store: Store) {}

  async list(principal: Principal, query: AuditQuery): Promise<Page<AuditRecord>> {
    await this.check(principal, query.team);
    return this.inner.list(principal, query);
  }

  async export(principal: Principal, request: AuditExportRequest): Promise<AsyncIterable<AuditExportLine>> {
    await this.check(principal, request.team);
    return this.inner.export(principal, request);
  }

  keys(principal: Principal): Promise<AuditKey[]> {
    return this.inner.keys(principal);
  }

  private async check(principal: Principal, team: string | undefined): Promise<void> {
    if (team === undefined) requireAdmin(principal, 'read the whole audit log (team owners read their team\'s: team=TEAM, paved audit --team TEAM)', 'read');
    else await teamForOwnerRead(this.store, principal, team, "read the team's audit records");
  }
}
