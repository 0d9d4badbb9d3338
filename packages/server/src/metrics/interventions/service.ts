import {
  INTERVENTION_KINDS, type InterventionInput, type InterventionKind, type InterventionMeasures, type InterventionWeek, type RecordedIntervention,
} from '@paved/model';
import type { StoredIntervention, Store } from '@paved/store';
import { findTeam, type Principal } from '../../access/principal.js';
import { instanceNotFound } from '../../instances/service.js';
import { productNotFound } from '../../products/service.js';
import { DEFAULT_WEEKS, lastWeeks, share, weekLabel, windowOf } from '../window/window.js';

export interface InterventionQuery {
  team?: string;
  product?: string;
  weeks?: number;
}

/**
 * Interventions, the cross-team dependency indicator (docs/metrics/README.md#interventions):
 * how often a person from outside a team had to act for one of its requests, per team and week,
 * and the share of requests that reached Ready without any.
 *
 * `record` is the interface for acts Paved cannot see by itself: a platform team's manual fix,
 * and approvals (the governance work records each approval through it, as the approver). Acts
 * Paved sees (`paved reconcile` and other writes by an outsider, help requests) are recorded by
 * the store and the feedback capability as they happen.
 */
export interface InterventionService {
  get(principal: Principal, query: InterventionQuery): Promise<InterventionMeasures>;
  record(principal: Principal, team: string, instance: string, input: InterventionInput): Promise<RecordedIntervention>;
}

export class DefaultInterventionService implements InterventionService {
  constructor(private readonly deps: { store: Store; now: () => number }) {}

  async get(_principal: Principal, query: InterventionQuery): Promise<InterventionMeasures> {
    const { store } = this.deps;
    const team = query.team === undefined ? undefined : await findTeam(store, query.team);
    if (query.product !== undefined && (await store.getProductOwner(query.product)) === undefined) throw productNotFound(query.product);
    const scope = { ...(team === undefined ? {} : { teamIds: [team.id] }), ...(query.product === undefined ? {} : { products: [query.product] }) };
    const weeks = lastWeeks(query.weeks ?? DEFAULT_WEEKS, this.deps.now());
    const window = windowOf(weeks);
    const [counts, ready] = await Promise.all([store.interventionCounts(window, scope), store.unassistedReady(window, scope)]);
    const perTeam = new Map<string, { team: string; week: string; interventions: number }>();
    const series: InterventionWeek[] = weeks.map((week) => {
      const mine = counts.filter((c) => c.weekStart === week.start);
      const byKind: InterventionWeek['byKind'] = {};
      for (const row of mine) {
        byKind[row.kind as InterventionKind] = (byKind[row.kind as InterventionKind] ?? 0) + row.count;
        const key = `${week.start}|${row.teamName}`;
        const entry = perTeam.get(key) ?? { team: row.teamName, week: weekLabel(week.start), interventions: 0 };
        perTeam.set(key, { ...entry, interventions: entry.interventions + row.count });
      }
      const readyRow = ready.find((r) => r.weekStart === week.start);
      const unassisted = share(readyRow?.unassisted ?? 0, readyRow?.ready ?? 0);
      return {
        week: weekLabel(week.start),
        interventions: mine.reduce((total, row) => total + row.count, 0),
        byKind,
        readyRequests: readyRow?.ready ?? 0,
        readyWithoutIntervention: readyRow?.unassisted ?? 0,
        ...(unassisted === undefined ? {} : { unassistedShare: unassisted }),
      };
    });
    return {
      ...(team === undefined ? {} : { team: team.name }),
      ...(query.product === undefined ? {} : { product: query.product }),
      weeks: series,
      perTeam: [...perTeam.values()],
    };
  }

  async record(principal: Principal, teamName: string, name: string, input: InterventionInput): Promise<RecordedIntervention> {
    const { store } = this.deps;
    const team = await findTeam(store, teamName);
    const instance = await store.getInstanceByName(team.id, name);
    if (!instance) throw instanceNotFound(teamName, name);
    return toRecorded(await store.recordIntervention({ instanceId: instance.id, kind: input.kind, actor: principal.user.name, note: input.note }));
  }
}

export function toRecorded(row: StoredIntervention): RecordedIntervention {
  const kind = INTERVENTION_KINDS.find((k) => k === row.kind) ?? 'manual-fix';
  return {
    id: row.id, at: new Date(row.at).toISOString(), team: row.teamName, instance: row.instanceName, product: row.product, kind,
    ...(row.actor === undefined ? {} : { actor: row.actor }), note: row.note,
  };
}
