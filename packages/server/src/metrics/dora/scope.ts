import type { Service, Team } from '@paved/model';
import type { DeliveryRepository, Store } from '@paved/store';
import { claims } from '../../delivery/repositories.js';

/** Every service of these teams (undefined: of every team), following the store's pages. */
export async function servicesOf(store: Store, teams: readonly Team[] | undefined): Promise<Service[]> {
  const services: Service[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listServices({ ...(teams ? { teamIds: teams.map((t) => t.id) } : {}), limit: 500, ...(cursor ? { cursor } : {}) });
    services.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return services;
}

export function serviceKey(service: Service): string {
  return `${service.teamName}/${service.name}`;
}

/** Each service with the ids of the repositories it claims (delivery/repositories.ts). */
export function repositoriesOf(services: readonly Service[], repositories: readonly DeliveryRepository[]): { key: string; repositoryIds: number[] }[] {
  return services.map((service) => ({ key: serviceKey(service), repositoryIds: repositories.filter((r) => claims(service, r)).map((r) => r.id) }));
}
