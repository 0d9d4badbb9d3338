import type { AdoptionMeasures } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../../access/principal.js';
import { findTeam } from '../../access/principal.js';
import { onboarding } from '../products/service.js';
import { DEFAULT_WEEKS, lastWeeks, share, weekLabel } from '../window/window.js';

export interface AdoptionQuery {
  /** One team's services only. */
  team?: string;
  weeks?: number;
}

/** Adoption: the share of catalogued services whose resources come from Paved, week by week (docs/metrics/README.md#adoption). */
export interface AdoptionService {
  get(principal: Principal, query: AdoptionQuery): Promise<AdoptionMeasures>;
}

export class DefaultAdoptionService implements AdoptionService {
  constructor(private readonly deps: { store: Store; now: () => number }) {}

  async get(_principal: Principal, query: AdoptionQuery): Promise<AdoptionMeasures> {
    const { store } = this.deps;
    const team = query.team === undefined ? undefined : await findTeam(store, query.team);
    const scope = team === undefined ? {} : { teamIds: [team.id] };
    const weeks = lastWeeks(query.weeks ?? DEFAULT_WEEKS, this.deps.now());
    const [rows, firstReady] = await Promise.all([store.adoptionAt(weeks.map((w) => w.end), scope), store.firstReadyByTeam(scope)]);
    return {
      ...(team === undefined ? {} : { team: team.name }),
      weeks: rows.map((row, i) => {
        const ratio = share(row.adopted, row.services);
        return { week: weekLabel(weeks[i]!.start), services: row.services, adopted: row.adopted, ...(ratio === undefined ? {} : { share: ratio }) };
      }),
      teamOnboarding: onboarding(firstReady),
    };
  }
}
