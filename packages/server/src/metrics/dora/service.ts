import type { DoraMetrics, DoraQuery, Service, Team } from '@paved/model';
import type { DoraFacts, Store } from '@paved/store';
import { findTeam, visibleTeams, type Principal } from '../../access/principal.js';
import { serviceNotFound } from '../../catalog/services/service.js';
import { repositoryLabel } from '../../delivery/repositories.js';
import { deploymentFrequency } from './frequency.js';
import { BENCHMARK, changeFailureRateLevel, leadTimeLevel, recoveryTimeLevel } from './levels.js';
import { lowerMedian, lowerMedianOfHistogram } from './median.js';
import { repositoriesOf, serviceKey, servicesOf } from './scope.js';
import { doraWindow, type DoraWindow } from './window.js';

/** DORA delivery metrics of a service, a team, or every service the caller may see (docs/metrics/dora.md). */
export interface DoraService {
  metrics(principal: Principal, query: DoraQuery): Promise<DoraMetrics>;
}

export interface DoraServiceDeps {
  store: Store;
  /** IANA zone of days, weeks and months. */
  timeZone: string;
  /** Applies the webhook deliveries accepted so far (the inbox), so the metrics include them. */
  settle?: () => Promise<void>;
}

const EXAMPLES = 10;

export class DefaultDoraService implements DoraService {
  constructor(private readonly deps: DoraServiceDeps) {}

  async metrics(principal: Principal, query: DoraQuery): Promise<DoraMetrics> {
    const window = doraWindow(query.from, query.to, this.deps.timeZone);
    const { store } = this.deps;
    const scope = await this.scope(principal, query);
    await this.deps.settle?.();
    const repositories = await store.listDeliveryRepositories();
    const owned = repositoriesOf(scope.services, repositories);
    const facts = await store.doraFacts({ services: owned, fromMs: window.fromMs, toMs: window.toMs, offsets: window.offsets, examples: EXAMPLES });
    const metrics = compute(window, facts);

    const dataQuality: DoraMetrics['dataQuality'] = {
      deploymentsWithoutChanges: {
        count: facts.days.reduce((sum, d) => sum + d.withoutChanges, 0),
        examples: facts.withoutChanges.map((d) => ({ service: d.service, id: d.id, environment: d.environment, finishedAt: new Date(d.finishedMs).toISOString() })),
      },
      incidentsWithoutDeployment: metrics.incidentsWithoutDeployment,
      problems: [],
    };
    if (scope.kind === 'organisation') {
      // Every service of the organisation is in scope: a repository none claims belongs to no one.
      const claimed = new Set(owned.flatMap((s) => s.repositoryIds));
      const unclaimed = repositories.filter((r) => !claimed.has(r.id));
      const counts = await store.countDeliveryEvents(unclaimed.map((r) => r.id));
      dataQuality.unclaimedRepositories = unclaimed.map((r) => {
        const c = counts.find((x) => x.repositoryId === r.id)!;
        return { repository: repositoryLabel(r), deployments: c.deployments, changes: c.changes, incidents: c.incidents };
      });
      dataQuality.incidentsWithoutService = { count: counts.reduce((sum, c) => sum + c.incidents, 0) };
    }
    dataQuality.problems = problems(metrics.deployments, dataQuality);

    return {
      scope: {
        kind: scope.kind,
        ...(query.team ? { team: query.team } : {}),
        ...(query.service ? { service: query.service } : {}),
        services: scope.services.map(serviceKey),
      },
      window: { from: window.from, to: window.to, timeZone: window.timeZone, days: window.toDay - window.fromDay + 1, weeks: metrics.deploymentFrequency.weeks, months: metrics.deploymentFrequency.months },
      benchmark: BENCHMARK,
      deployments: metrics.deployments,
      deploymentFrequency: {
        deploymentDays: metrics.deploymentFrequency.deploymentDays,
        medianDeploymentDaysPerWeek: metrics.deploymentFrequency.medianDeploymentDaysPerWeek,
        medianDeploymentDaysPerMonth: metrics.deploymentFrequency.medianDeploymentDaysPerMonth,
        level: metrics.deploymentFrequency.level,
      },
      leadTime: metrics.leadTime,
      changeFailureRate: metrics.changeFailureRate,
      failedDeploymentRecoveryTime: metrics.failedDeploymentRecoveryTime,
      reworkRate: metrics.reworkRate,
      dataQuality,
    };
  }

  private async scope(principal: Principal, query: DoraQuery): Promise<{ kind: DoraMetrics['scope']['kind']; services: Service[] }> {
    const { store } = this.deps;
    if (query.team !== undefined) {
      const team = await findTeam(store, query.team);
      if (query.service !== undefined) {
        const service = await store.getService(team.id, query.service);
        if (!service) throw serviceNotFound(team.name, query.service);
        return { kind: 'service', services: [service] };
      }
      return { kind: 'team', services: await servicesOf(store, [team]) };
    }
    // Platform admins (with an unscoped token) see the organisation; others their teams.
    const whole = principal.user.admin && principal.token.teamId === undefined;
    const teams: Team[] | undefined = whole ? undefined : await visibleTeams(store, principal);
    return { kind: whole ? 'organisation' : 'your-teams', services: await servicesOf(store, teams) };
  }
}

/** The five metrics from the facts (docs/metrics/dora.md "Definitions"). */
export function compute(window: DoraWindow, facts: DoraFacts) {
  const inWindow = (ms: number | null) => ms !== null && ms >= window.fromMs && ms < window.toMs;
  const deployments = facts.days.reduce((sum, d) => sum + d.deployments, 0);
  const frequency = deploymentFrequency(window, new Set(facts.days.map((d) => d.day)));

  const leadMedian = lowerMedianOfHistogram(facts.leadTimes);
  const changes = facts.leadTimes.reduce((sum, l) => sum + l.count, 0);

  // An incident counts at most once per deployment, and a deployment at most once.
  const failed = new Set(facts.incidents.filter((i) => inWindow(i.deploymentShippedMs)).map((i) => i.deploymentId)).size;

  // Recovery: incidents resolved in the window whose deployment finished in it, from that
  // deployment's finish to the resolution, in whole minutes (truncated). One value per incident.
  const recovery = new Map<number, number>();
  for (const incident of facts.incidents) {
    if (!inWindow(incident.resolvedMs) || !inWindow(incident.deploymentShippedMs)) continue;
    const minutes = Math.trunc((incident.resolvedMs! - incident.deploymentShippedMs!) / 60_000);
    recovery.set(incident.incidentId, Math.max(recovery.get(incident.incidentId) ?? Number.NEGATIVE_INFINITY, minutes));
  }
  const recoveryMedian = lowerMedian([...recovery.values()]);

  const orphans = facts.incidents.filter((i) => i.deploymentId === null && inWindow(i.createdMs));
  return {
    deployments,
    deploymentFrequency: frequency,
    leadTime: { changes, medianMinutes: leadMedian, level: leadTimeLevel(leadMedian) },
    changeFailureRate: { failed, deployments, rate: deployments === 0 ? null : failed / deployments, level: changeFailureRateLevel(failed, deployments) },
    failedDeploymentRecoveryTime: { incidents: recovery.size, medianMinutes: recoveryMedian, level: recoveryTimeLevel(recoveryMedian) },
    reworkRate: { reworked: facts.reworked, deployments, rate: deployments === 0 ? null : facts.reworked / deployments, level: null },
    incidentsWithoutDeployment: {
      count: orphans.length,
      examples: orphans.slice(0, EXAMPLES).map((i) => ({ service: i.service, id: i.id, createdAt: new Date(i.createdMs).toISOString() })),
    },
  };
}

function problems(deployments: number, quality: DoraMetrics['dataQuality']): string[] {
  const out: string[] = [];
  const bare = quality.deploymentsWithoutChanges.count;
  if (bare > 0) {
    out.push(`${bare} of ${deployments} deployments have no linked change: the first deployment of a repository, a rollback or redeploy, `
      + 'commits pushed without a pull request, or pushes and pull requests that never reached Paved (the repository\'s webhook).');
  }
  const orphans = quality.incidentsWithoutDeployment.count;
  if (orphans > 0) out.push(`${orphans} incident(s) have no production deployment of their service before them, so no deployment counts as failed for them.`);
  const unclaimed = quality.unclaimedRepositories ?? [];
  if (unclaimed.length > 0) {
    out.push(`${unclaimed.length} repositor${unclaimed.length === 1 ? 'y sends' : 'ies send'} events that no service claims, so they count nowhere: `
      + 'register the service with its repository URL (paved services create NAME --repo URL).');
  }
  return out;
}
