import type { BackstageExport, BackstageImportRequest, BackstageImportSummary } from '@paved/model';
import { requireAdmin, type Principal } from '../access/principal.js';
import type { BackstageService } from './service.js';

/** Import writes teams, users and services for everyone: platform admins only. Export is scoped by the inner service. */
export class AuthorizedBackstageService implements BackstageService {
  constructor(private readonly inner: BackstageService) {}

  import(principal: Principal, request: BackstageImportRequest): Promise<BackstageImportSummary> {
    requireAdmin(principal, 'import from Backstage (it creates teams, users and services)');
    return this.inner.import(principal, request);
  }

  export(principal: Principal): Promise<BackstageExport> {
    return this.inner.export(principal);
  }
}
