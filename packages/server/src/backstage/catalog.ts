import type { Service } from '@paved/model';
import type { Store } from '@paved/store';

/** Every service of the given teams (every team's when `teamIds` is undefined), following the store's cursor. */
export async function allServices(store: Store, teamIds?: string[]): Promise<Service[]> {
  const services: Service[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listServices({ limit: 500, ...(teamIds ? { teamIds } : {}), ...(cursor ? { cursor } : {}) });
    services.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return services;
}
