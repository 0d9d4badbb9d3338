import type { Instance, Page, WorkloadConfig, WorkloadPlan } from '@paved/model';
import type { Store } from '@paved/store';
import { teamFor, type Principal } from '../access/principal.js';
import type { ApplyWorkload, WorkloadService } from './service.js';

/** A team's viewers plan (a dry run changes nothing) and read, config included (it is not secret); its members apply and configure. */
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

  async config(principal: Principal, team: string, service: string, environment: string): Promise<WorkloadConfig> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.config(principal, team, service, environment);
  }

  async setConfig(principal: Principal, team: string, service: string, environment: string, values: Record<string, string>): Promise<WorkloadConfig> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.setConfig(principal, team, service, environment, values);
  }
}
