import { RESOLVED_VALUE, WAITING_FOR_VALUE, type Environment, type Instance, type Service, type Team } from '@paved/model';
import type { Target } from '@paved/driver-api';
import type { Store } from '@paved/store';
import { isBuiltInKind, resolveBuiltIn, SCORE_DRIVER, type BuiltInKind } from './builtin.js';
import { canonical } from './canonical.js';
import { readScoreTarget } from './score-target.js';

/**
 * Keeps the outputs of built-in Score instances in step when what they were worked out from
 * changes outside their own workload's apply: another workload's ports (its apply updates
 * every `service`/`service-port` instance that reaches it, so workloads may be applied in any
 * order), or a service's own config (its `environment` instances take the new values). Each
 * change is an ordinary spec update, so the engine reconciles it and the instance's events say so.
 */
export class BuiltInRefresher {
  constructor(private readonly deps: { store: Store; targets: readonly Target[] }) {}

  /** Updates the endpoints other workloads of the team have on `service` in `environment`; returns their names. */
  async endpointsOn(team: Team, environment: Environment, service: string, actor: string): Promise<string[]> {
    const { store } = this.deps;
    const records = await store.listWorkloads({ teamId: team.id, environment: environment.name });
    const workloads = new Map(records.flatMap((r) => (r.ports === undefined ? [] : [[r.service, r.ports] as const])));
    const updated: string[] = [];
    for (const record of records) {
      if (record.service === service) continue;
      for (const instance of await store.listWorkloadInstances(record.serviceId, environment.name)) {
        const kind = await this.kindOf(instance);
        if (kind !== 'service' && kind !== 'service-port') continue;
        const params = paramsOf(instance);
        if ((params.workload ?? instance.workload!.resource.split('.').pop()) !== service) continue;
        if (await this.refresh(instance, kind, { team, environment, service: instance.workload!.service, params, workloads, config: {} }, actor)) updated.push(instance.name);
      }
    }
    return updated;
  }

  /** Gives `service`'s `environment` instances in `environment` its current config and the environment's variables. */
  async environmentValuesOf(team: Team, environment: Environment, service: Service, actor: string): Promise<void> {
    const { store } = this.deps;
    const config = (await store.getWorkload(service.id, environment.name))?.config ?? {};
    for (const instance of await store.listWorkloadInstances(service.id, environment.name)) {
      if ((await this.kindOf(instance)) !== 'environment') continue;
      await this.refresh(instance, 'environment', { team, environment, service: service.name, params: paramsOf(instance), workloads: new Map(), config }, actor);
    }
  }

  private async kindOf(instance: Instance): Promise<BuiltInKind | undefined> {
    if (instance.deletionRequested || !instance.workload || !isBuiltInKind(instance.product)) return undefined;
    const version = await this.deps.store.getProductVersion(instance.product, instance.productVersion);
    return version?.manifest.spec.driver === SCORE_DRIVER ? instance.product : undefined;
  }

  private async refresh(
    instance: Instance,
    kind: BuiltInKind,
    context: { team: Team; environment: Environment; service: string; params: Record<string, unknown>; workloads: Parameters<typeof resolveBuiltIn>[0]['workloads']; config: Record<string, string> },
    actor: string,
  ): Promise<boolean> {
    const target = this.deps.targets.find((t) => t.name === instance.target);
    if (!target) return false;
    const resolution = resolveBuiltIn({
      kind, team: context.team.name, service: context.service, environment: context.environment, resource: instance.workload!.resource, instance: instance.name,
      params: context.params, target: readScoreTarget(target).config, ownPorts: {}, workloads: context.workloads, config: context.config,
    });
    // A problem (the port it names is gone) is its own workload's to see at its next plan.
    if (resolution.problems.length > 0) return false;
    const inputs = { ...context.params, [RESOLVED_VALUE]: resolution.resolved, ...(resolution.waitingFor === undefined ? {} : { [WAITING_FOR_VALUE]: resolution.waitingFor }) };
    if (canonical(inputs) === canonical(instance.inputs)) return false;
    await this.deps.store.updateInstanceSpec(instance.id, { inputs }, actor);
    return true;
  }
}

/** What the file asked for: the instance's inputs without what Paved worked out. */
function paramsOf(instance: Instance): Record<string, unknown> & { workload?: string } {
  const { [RESOLVED_VALUE]: _resolved, [WAITING_FOR_VALUE]: _waiting, ...params } = instance.inputs;
  return params;
}
