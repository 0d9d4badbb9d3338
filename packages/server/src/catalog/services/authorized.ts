import type { CreateServiceRequest, Page, PageRequest, Service, UpdateServiceRequest } from '@paved/model';
import type { Store } from '@paved/store';
import { teamFor, type Principal } from '../../access/principal.js';
import type { ServiceCatalog } from './service.js';

/**
 * Every signed-in user may browse all services (a catalog is for discovery); a team's members
 * create, change and delete its own; its viewers read them.
 */
export class AuthorizedServiceCatalog implements ServiceCatalog {
  constructor(private readonly inner: ServiceCatalog, private readonly store: Store) {}

  listAll(principal: Principal, page: PageRequest): Promise<Page<Service>> {
    return this.inner.listAll(principal, page);
  }

  async list(principal: Principal, team: string, page: PageRequest): Promise<Page<Service>> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.list(principal, team, page);
  }

  async create(principal: Principal, team: string, request: CreateServiceRequest): Promise<Service> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.create(principal, team, request);
  }

  async get(principal: Principal, team: string, name: string): Promise<Service> {
    await teamFor(this.store, principal, team, 'read');
    return this.inner.get(principal, team, name);
  }

  async update(principal: Principal, team: string, name: string, request: UpdateServiceRequest): Promise<Service> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.update(principal, team, name, request);
  }

  async delete(principal: Principal, team: string, name: string): Promise<void> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.delete(principal, team, name);
  }
}
