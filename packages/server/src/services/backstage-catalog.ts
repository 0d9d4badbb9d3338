import { UnavailableError, type Page, type Service, type ServiceLifecycle } from '@paved/model';
import type { Store } from '@paved/store';

/**
 * The services part of the store that Backstage import and export use. Declared here (rather
 * than as `Store`) so this slice states exactly what it needs; the store satisfies it.
 */
export interface ServiceCatalogStore {
  createService(input: { teamId: string; name: string; description: string; repositoryUrl?: string; lifecycle: ServiceLifecycle; system?: string }): Promise<Service>;
  getService(teamId: string, name: string): Promise<Service | undefined>;
  listServices(filter: { teamId?: string }): Promise<Service[] | Page<Service>>;
  updateService(id: string, patch: { description?: string; repositoryUrl?: string; lifecycle?: ServiceLifecycle; system?: string }): Promise<Service>;
}

/** The store's service methods; UnavailableError when this store has none (an older build). */
export function serviceCatalogOf(store: Store): ServiceCatalogStore {
  const candidate = store as unknown as Partial<ServiceCatalogStore>;
  const needed = ['createService', 'getService', 'listServices', 'updateService'] as const;
  if (needed.some((method) => typeof candidate[method] !== 'function')) {
    throw new UnavailableError('The service catalog is not available in this store', { code: 'unavailable' });
  }
  return {
    createService: (input) => candidate.createService!(input),
    getService: (teamId, name) => candidate.getService!(teamId, name),
    listServices: (filter) => candidate.listServices!(filter),
    updateService: (id, patch) => candidate.updateService!(id, patch),
  };
}

/** Every service matching `filter`, whether the store answers with a list or a page. */
export async function allServices(catalog: ServiceCatalogStore, filter: { teamId?: string } = {}): Promise<Service[]> {
  const listed = await catalog.listServices(filter);
  return Array.isArray(listed) ? listed : listed.items;
}
