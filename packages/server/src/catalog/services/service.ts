import {
  InputError, NotFoundError, SERVICE_LIFECYCLES, assertName,
  type CreateServiceRequest, type Page, type PageRequest, type Service, type Team, type UpdateServiceRequest,
} from '@paved/model';
import type { Store } from '@paved/store';
import { findTeam, type Principal } from '../../access/principal.js';

/** The catalog's services: the workloads of developer teams, browsed by everyone. */
export interface ServiceCatalog {
  /** Every team's services, for discovery. */
  listAll(principal: Principal, page: PageRequest): Promise<Page<Service>>;
  list(principal: Principal, team: string, page: PageRequest): Promise<Page<Service>>;
  create(principal: Principal, team: string, request: CreateServiceRequest): Promise<Service>;
  get(principal: Principal, team: string, name: string): Promise<Service>;
  update(principal: Principal, team: string, name: string, request: UpdateServiceRequest): Promise<Service>;
  /** Refused by the store while the service has instances. */
  delete(principal: Principal, team: string, name: string): Promise<void>;
}

export class DefaultServiceCatalog implements ServiceCatalog {
  constructor(private readonly store: Store) {}

  listAll(_principal: Principal, page: PageRequest): Promise<Page<Service>> {
    return this.store.listServices({ cursor: page.cursor, limit: page.limit });
  }

  async list(_principal: Principal, team: string, page: PageRequest): Promise<Page<Service>> {
    const found = await findTeam(this.store, team);
    return this.store.listServices({ teamIds: [found.id], cursor: page.cursor, limit: page.limit });
  }

  async create(_principal: Principal, team: string, request: CreateServiceRequest): Promise<Service> {
    const found = await findTeam(this.store, team);
    return this.store.createService({
      teamId: found.id,
      name: assertName('name', request.name),
      description: request.description ?? '',
      lifecycle: lifecycleOf(request.lifecycle) ?? 'experimental',
      ...(request.repositoryUrl ? { repositoryUrl: request.repositoryUrl } : {}),
      ...(request.system ? { system: request.system } : {}),
    });
  }

  async get(_principal: Principal, team: string, name: string): Promise<Service> {
    return this.find(await findTeam(this.store, team), name);
  }

  async update(_principal: Principal, team: string, name: string, request: UpdateServiceRequest): Promise<Service> {
    const service = await this.find(await findTeam(this.store, team), name);
    const lifecycle = lifecycleOf(request.lifecycle);
    return this.store.updateService(service.id, {
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.repositoryUrl !== undefined ? { repositoryUrl: request.repositoryUrl } : {}),
      ...(request.system !== undefined ? { system: request.system } : {}),
      ...(lifecycle ? { lifecycle } : {}),
    });
  }

  async delete(_principal: Principal, team: string, name: string): Promise<void> {
    await this.store.deleteService((await this.find(await findTeam(this.store, team), name)).id);
  }

  private async find(team: Team, name: string): Promise<Service> {
    const service = await this.store.getService(team.id, name);
    if (!service) throw serviceNotFound(team.name, name);
    return service;
  }
}

export function serviceNotFound(team: string, name: string): NotFoundError {
  return new NotFoundError(`Team "${team}" has no service "${name}"; list them with: paved services --team ${team}`, {
    code: 'service_not_found',
    issues: [{ path: 'service', message: 'no such service' }],
  });
}

function lifecycleOf(value: string | undefined): Service['lifecycle'] | undefined {
  if (value === undefined) return undefined;
  if ((SERVICE_LIFECYCLES as readonly string[]).includes(value)) return value as Service['lifecycle'];
  throw new InputError(`lifecycle must be one of: ${SERVICE_LIFECYCLES.join(', ')}`, { code: 'lifecycle_invalid', issues: [{ path: 'lifecycle', message: `must be one of: ${SERVICE_LIFECYCLES.join(', ')}` }] });
}
