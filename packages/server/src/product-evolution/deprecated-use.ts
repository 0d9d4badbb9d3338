import { compareSemver, type DeprecatedUse } from '@paved/model';
import type { Store } from '@paved/store';
import { deprecationOf } from './deprecations.js';

/**
 * Per team, the live instances of `product` on a deprecated version (or of a deprecated
 * product): what the product's analytics show its owner, by most instances first.
 */
export async function deprecatedUse(store: Store, product: string): Promise<DeprecatedUse[]> {
  const deprecations = await store.listDeprecations(product);
  if (deprecations.length === 0) return [];
  const byTeam = new Map<string, DeprecatedUse>();
  for (const row of await store.liveInstancesByTeamAndVersion(product)) {
    const found = deprecationOf(deprecations, product, row.version);
    if (!found) continue;
    const use = byTeam.get(row.team) ?? { team: row.team, instances: 0, versions: [], date: found.date };
    use.instances += row.instances;
    use.versions.push(row.version);
    if (found.date < use.date) use.date = found.date;
    byTeam.set(row.team, use);
  }
  return [...byTeam.values()]
    .map((use) => ({ ...use, versions: use.versions.sort(compareSemver) }))
    .sort((a, b) => b.instances - a.instances || (a.team < b.team ? -1 : 1));
}
