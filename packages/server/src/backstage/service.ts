import {
  type BackstageExport, type BackstageImportRequest, type BackstageImportSummary, type Instance, type Team,
} from '@paved/model';
import type { Store } from '@paved/store';
import { allServices } from './catalog.js';
import { exportBackstageEntities } from './export.js';
import { applyImportPlan } from './import.js';
import { planBackstageImport } from './import-plan.js';
import { visibleTeams, type Principal } from '../access/principal.js';

/** Backstage interoperability: import catalog-info entities into teams and services; export Paved's catalog as entities. */
export interface BackstageService {
  import(principal: Principal, request: BackstageImportRequest): Promise<BackstageImportSummary>;
  /** The services and instances the caller may see (every team's for platform admins). */
  export(principal: Principal): Promise<BackstageExport>;
}

export class DefaultBackstageService implements BackstageService {
  constructor(private readonly store: Store) {}

  async import(principal: Principal, request: BackstageImportRequest): Promise<BackstageImportSummary> {
    const products = (await this.store.listProducts()).map((p) => p.name);
    const plan = planBackstageImport(request.entities, { products, ...(request.context ? { context: request.context } : {}) });
    return applyImportPlan({ store: this.store, actor: principal.user.name, dryRun: request.dryRun ?? false }, plan);
  }

  async export(principal: Principal): Promise<BackstageExport> {
    const teams = await visibleTeams(this.store, principal);
    const teamIds = new Set(teams.map((t) => t.id));
    const services = teams.length === 0 ? [] : await allServices(this.store, [...teamIds]);
    const instances = await this.instancesOf(teams);
    const products = new Map<string, { title: string; driver: string }>();
    for (const key of new Set(instances.map((i) => `${i.product}@${i.productVersion}`))) {
      const [name, version] = key.split('@') as [string, string];
      const found = await this.store.getProductVersion(name, version);
      if (found) products.set(name, { title: found.manifest.metadata.title, driver: found.manifest.spec.driver });
    }
    const members = (await Promise.all(teams.map((t) => this.store.listMemberships({ teamId: t.id })))).flat().map((m) => ({ team: m.teamName, user: m.userName }));
    return { entities: exportBackstageEntities({ teams, services, instances, products, members, sharedUses: await this.sharedUses(teams) }) };
  }

  /** The shared instances each service's workload uses, in every environment. */
  private async sharedUses(teams: readonly Team[]): Promise<{ serviceId: string; instanceId: string }[]> {
    const environments = teams.length === 0 ? [] : await this.store.listEnvironments();
    const uses: { serviceId: string; instanceId: string }[] = [];
    for (const team of teams) {
      for (const environment of environments) {
        for (const workload of await this.store.listWorkloads({ teamId: team.id, environment: environment.name })) {
          for (const instanceId of workload.sharedIds) uses.push({ serviceId: workload.serviceId, instanceId });
        }
      }
    }
    return uses;
  }

  private async instancesOf(teams: readonly Team[]): Promise<Instance[]> {
    if (teams.length === 0) return [];
    const instances: Instance[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.listInstances({ teamIds: teams.map((t) => t.id), limit: 500, ...(cursor ? { cursor } : {}) });
      instances.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return instances;
  }
}
