import type { Instance, Page, WorkloadPlan } from '@paved/model';
import type { Store } from '@paved/store';
import { teamFor, type Principal } from '../access/principal.js';
import type { ApplyWorkload, WorkloadService } from './service.js';

/** A team's viewers plan (a dry run changes nothing) and read; its members apply. */
export class AuthorizedWorkloadService implements WorkloadService {
  constructor(private readonly inner: WorkloadService, private readonly store: Store) {}

  async apply(principal: Principal, request: ApplyWorkload): Promise<WorkloadPlan> {
    await teamFor(this.store, principal, request.team, request.dryRun ? 'read' : 'write');
    return this.inner.apply(principal, request);
  }

  async instances(principal: Principal, team: string, service: string, environment: string): Promise<Page<Instance>> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.instances(principal, team, service, environment);
  }
}
