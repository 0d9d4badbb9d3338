import {
  checkConfigValues, externalNameFor, scoreError, servicePorts, sharedInstanceName, validateScoreDocument,
  type Instance, type Page, type ProductVersion, type Service, type Team, type WorkloadChange, type WorkloadConfig, type WorkloadPlan,
  newId,
} from '@paved/model';
import { newApprovalId, type NewInstance } from '@paved/store';
import type { Target } from '@paved/driver-api';
import type { Store } from '@paved/store';
import { serviceNotFound } from '../catalog/services/service.js';
import { findEnvironment } from '../catalog/environments/service.js';
import { assertNonePastDeprecation } from '../product-evolution/deprecations.js';
import { findTeam, type Principal } from '../access/principal.js';
import { planWorkload, type DesiredInstance, type PlannedWorkload } from './planner.js';
import { BuiltInRefresher } from './refresh.js';
import { PolicyGate, policyDenied, type GateResult } from '../policies/gate.js';
import { quotaClaims } from '../instances/quota-claims.js';

export interface WorkloadServiceDeps {
  store: Store;
  targets: readonly Target[];
  /** The clock of deprecation dates (docs/product-versions.md#deprecation). Default Date.now. */
  now?: () => number;
  /** The policies in force; absent: a gate over the same store. */
  gate?: PolicyGate;
}

export interface ApplyWorkload {
  team: string;
  service: string;
  environment: string;
  /** The Score document as JSON; validated here again (the CLI already did, with line numbers). */
  score: unknown;
  dryRun?: boolean;
}

/** A team's services as Score workloads: plan, apply, the instances each one uses, its own config. */
export interface WorkloadService {
  /** Plans the workload's file against what runs; applies the plan unless `dryRun`. */
  apply(principal: Principal, request: ApplyWorkload): Promise<WorkloadPlan>;
  /** The instances the workload uses in the environment: its own and the shared ones it names. */
  instances(principal: Principal, team: string, service: string, environment: string): Promise<Page<Instance>>;
  /** The service's own config values in the environment (its `environment` resource's outputs, over the environment's variables). */
  config(principal: Principal, team: string, service: string, environment: string): Promise<WorkloadConfig>;
  /** Replaces them; the service's `environment` instances there take the new values at once. */
  setConfig(principal: Principal, team: string, service: string, environment: string, values: Record<string, string>): Promise<WorkloadConfig>;
}

/**
 * Score workloads: observe (the service's instances in the environment) → plan (pure, see
 * planner.ts) → apply. Every problem of the file is found before the first write, so a bad
 * file changes nothing. The service is registered in the catalog on its first apply.
 */
export class DefaultWorkloadService implements WorkloadService {
  private readonly refresher: BuiltInRefresher;

  constructor(private readonly deps: WorkloadServiceDeps) {
    this.refresher = new BuiltInRefresher(deps);
  }

  async apply(principal: Principal, request: ApplyWorkload): Promise<WorkloadPlan> {
    const { store } = this.deps;
    const team = await findTeam(store, request.team);
    const environment = await findEnvironment(store, request.environment);
    const workload = validateScoreDocument(request.score);
    let service = await store.getService(team.id, request.service);
    const planned = await this.plan(team, service, request.service, environment, workload);
    if (planned.problems.length > 0) throw scoreError(planned.problems, undefined, 'score', 'workload_invalid');
    // Every create and update is judged before anything is written: `paved plan` shows each decision.
    const judged = await this.judge(principal, team, environment, request.service, planned);
    const changes = planned.changes.map((change) => withJudgement(change, judged.get(change.instance)));
    const result: WorkloadPlan = { service: request.service, environment: environment.name, team: team.name, changes, applied: false };
    if (planned.notes.length > 0) result.notes = planned.notes;
    if (request.dryRun) return result;
    // A resource that would be created on a version past its deprecation date refuses the whole apply, before anything changes.
    const creates = new Set(planned.changes.filter((c) => c.action === 'create').map((c) => c.instance));
    await assertNonePastDeprecation(store, planned.desired.filter((d) => creates.has(d.name)).map((d) => ({ product: d.product.name, version: d.product.version })), (this.deps.now ?? Date.now)());
    const denied = [...judged.values()].flatMap((j) => j.denied);
    if (denied.length > 0) throw policyDenied(denied);

    service ??= await store.createService({
      teamId: team.id,
      name: request.service,
      description: workload.metadata.annotations?.['paved.dev/description'] ?? '',
      lifecycle: 'experimental',
      ...(workload.metadata.annotations?.['paved.dev/repository-url'] ? { repositoryUrl: workload.metadata.annotations['paved.dev/repository-url'] } : {}),
    });
    await this.carryOut(principal, team, service, environment.name, planned, judged);
    await store.putWorkload({ serviceId: service.id, environment: environment.name, sharedIds: planned.sharedIds, ports: servicePorts(workload) });
    // Other workloads reaching this one (service, service-port resources) get its new ports now.
    const refreshed = await this.refresher.endpointsOn(team, environment, service.name, principal.user.name);
    if (refreshed.length > 0) result.notes = [...(result.notes ?? []), ...refreshed.map((name) => `updated ${name}: it reaches ${service!.name}`)];
    return { ...result, applied: true };
  }

  async config(_principal: Principal, teamName: string, serviceName: string, environmentName: string): Promise<WorkloadConfig> {
    const { environment, service } = await this.existing(teamName, serviceName, environmentName);
    const record = await this.deps.store.getWorkload(service.id, environment.name);
    return { service: service.name, environment: environment.name, values: record?.config ?? {} };
  }

  async setConfig(principal: Principal, teamName: string, serviceName: string, environmentName: string, values: Record<string, string>): Promise<WorkloadConfig> {
    checkConfigValues(values, 'values');
    const { team, environment, service } = await this.existing(teamName, serviceName, environmentName);
    await this.deps.store.putWorkloadConfig({ serviceId: service.id, environment: environment.name, config: values });
    await this.refresher.environmentValuesOf(team, environment, service, principal.user.name);
    return { service: service.name, environment: environment.name, values };
  }

  async instances(_principal: Principal, teamName: string, serviceName: string, environmentName: string): Promise<Page<Instance>> {
    const { store } = this.deps;
    const { team, environment, service } = await this.existing(teamName, serviceName, environmentName);
    const own = await store.listWorkloadInstances(service.id, environment.name);
    const record = (await store.listWorkloads({ teamId: team.id, environment: environment.name })).find((r) => r.serviceId === service.id);
    const items = [...own];
    for (const id of record?.sharedIds ?? []) {
      const shared = await this.sharedInstance(team, id, environment.name);
      if (shared && !items.some((i) => i.id === shared.id)) items.push(shared);
    }
    return { items };
  }

  private async plan(team: Team, service: Service | undefined, serviceName: string, environment: Awaited<ReturnType<typeof findEnvironment>>, workload: ReturnType<typeof validateScoreDocument>): Promise<PlannedWorkload> {
    const { store } = this.deps;
    const products = new Map<string, ProductVersion>();
    for (const summary of await store.listProducts()) {
      const latest = await store.getProductVersion(summary.name);
      if (latest) products.set(summary.name, latest);
    }
    const existing = service ? await store.listWorkloadInstances(service.id, environment.name) : [];
    const ids = Object.values(workload.resources ?? {}).flatMap((r) => (r.id === undefined ? [] : [r.id]));
    const sharedExisting = new Map<string, Instance>();
    for (const id of ids) {
      const found = await this.sharedInstance(team, id, environment.name);
      if (found) sharedExisting.set(id, found);
    }
    // A shared id this service named last time and names no more is released when no other
    // workload of the team names it in this environment.
    const sharedReleasable = new Map<string, Instance>();
    if (service) {
      const records = await store.listWorkloads({ teamId: team.id, environment: environment.name });
      const mine = records.find((r) => r.serviceId === service.id)?.sharedIds ?? [];
      const others = new Set(records.filter((r) => r.serviceId !== service.id).flatMap((r) => r.sharedIds));
      for (const id of mine) {
        if (ids.includes(id) || others.has(id)) continue;
        const found = await this.sharedInstance(team, id, environment.name);
        if (found) sharedReleasable.set(id, found);
      }
    }
    const records = await store.listWorkloads({ teamId: team.id, environment: environment.name });
    const workloads = new Map(records.flatMap((r) => (r.ports === undefined ? [] : [[r.service, r.ports] as const])));
    // A resource naming this very workload sees the ports of the file being applied.
    workloads.set(serviceName, servicePorts(workload));
    const config = records.find((r) => r.service === serviceName)?.config ?? {};
    return planWorkload({ team: team.name, service: serviceName, environment, workload, products, targets: this.deps.targets, existing, sharedExisting, sharedReleasable, workloads, config });
  }

  /** The gate's verdict on each create and update of the plan, by instance name. */
  private async judge(principal: Principal, team: Team, environment: Awaited<ReturnType<typeof findEnvironment>>, service: string, planned: PlannedWorkload): Promise<Map<string, GateResult>> {
    const { store } = this.deps;
    this.ownGate ??= this.deps.gate ?? new PolicyGate(store);
    const judged = new Map<string, GateResult>();
    for (const change of planned.changes) {
      if (change.action !== 'create' && change.action !== 'update') continue;
      const want = planned.desired.find((d) => d.name === change.instance);
      if (!want) continue;
      const current = change.action === 'update' ? await store.getInstanceByName(team.id, want.name) : undefined;
      const perTeam = want.product.manifest.spec.plans[want.plan]?.quota?.perTeam;
      const quotas = change.action === 'create'
        ? await quotaClaims(store, want.product, want.plan)
        : current && current.plan !== want.plan && perTeam !== undefined ? [{ product: want.product.name, plan: want.plan, max: perTeam, adding: 1 }] : [];
      const verdict = await this.ownGate.judge({
        operation: change.action, team, name: want.name, product: want.product, plan: want.plan, inputs: want.inputs, environment, service,
        interface: 'score', user: principal.user.name, quotas,
      });
      // Approvals hold new requests only: a change a requireApproval policy fails is refused.
      judged.set(want.name, change.action === 'update'
        ? { ...verdict, denied: [...verdict.denied, ...verdict.approvals], approvals: [], approvers: undefined } as GateResult
        : verdict);
    }
    return judged;
  }

  private ownGate: PolicyGate | undefined;

  /** The team, environment and registered service a request names, or the not-found error for the first missing. */
  private async existing(teamName: string, serviceName: string, environmentName: string) {
    const { store } = this.deps;
    const team = await findTeam(store, teamName);
    const environment = await findEnvironment(store, environmentName);
    const service = await store.getService(team.id, serviceName);
    if (!service) throw serviceNotFound(team.name, serviceName);
    return { team, environment, service };
  }

  private async sharedInstance(team: Team, id: string, environment: string): Promise<Instance | undefined> {
    const found = await this.deps.store.getInstanceByName(team.id, sharedInstanceName(id, environment));
    return found?.workload?.shared ? found : undefined;
  }

  /** Deletes first (a replaced resource frees its name), then updates, then creates. */
  private async carryOut(principal: Principal, team: Team, service: Service, environment: string, planned: PlannedWorkload, judged: Map<string, GateResult>): Promise<void> {
    const { store } = this.deps;
    const actor = principal.user.name;
    for (const change of planned.changes.filter((c) => c.action === 'delete')) {
      const instance = await store.getInstanceByName(team.id, change.instance);
      if (instance && !instance.deletionRequested) await store.requestDeletion(instance.id, actor);
    }
    for (const change of planned.changes.filter((c) => c.action === 'update')) {
      const want = planned.desired.find((d) => d.name === change.instance)!;
      const instance = await store.getInstanceByName(team.id, change.instance);
      const provenance = { interface: 'score', decisions: judged.get(want.name)?.decisions ?? [] };
      if (instance) await store.updateInstanceSpec(instance.id, { plan: want.plan, inputs: want.inputs }, actor, provenance);
    }
    const creates: NewInstance[] = [];
    for (const change of planned.changes.filter((c) => c.action === 'create')) {
      const want = planned.desired.find((d) => d.name === change.instance)!;
      // The name is still held by an instance being deleted: the next apply creates it.
      if (await store.getInstanceByName(team.id, want.name)) continue;
      creates.push(newInstanceFor(team, service, environment, want, actor, judged.get(want.name)));
    }
    // One transaction for the file's new resources; each is created whole or not at all, and the
    // first refused (a quota passed meanwhile, a name taken meanwhile) is the apply's error.
    const refused = (await store.createInstances(creates)).find((outcome) => outcome.status === 'rejected');
    if (refused) throw refused.reason;
  }
}

function newInstanceFor(team: Team, service: Service, environment: string, want: DesiredInstance, actor: string, judged: GateResult | undefined): NewInstance {
  const id = newId();
  const quotas = (judged?.quotas ?? []).map(({ product, plan, max, adding }) => ({ product, plan, max, adding }));
  return {
    id,
    teamId: team.id,
    name: want.name,
    product: want.product.name,
    productVersion: want.product.version,
    plan: want.plan,
    inputs: want.inputs,
    externalName: externalNameFor(team.name, want.name, id),
    target: want.target,
    createdBy: actor,
    workload: { serviceId: service.id, environment, resource: want.resource, shared: want.shared },
    ...(quotas.length > 0 ? { quotas } : {}),
    provenance: { interface: 'score', decisions: judged?.decisions ?? [] },
    ...(judged?.approvers ? { approval: { id: newApprovalId(), approvers: judged.approvers, decisions: judged.approvals } } : {}),
  };
}

function withJudgement(change: WorkloadChange, judged: GateResult | undefined): WorkloadChange {
  // With no policy in force and every quota passing there is nothing to say: the plan stays as it was.
  if (!judged || (judged.decisions.length === 0 && judged.quotas.every((q) => q.passed))) return change;
  const refused = judged.denied.length > 0 || judged.quotas.some((q) => !q.passed);
  return {
    ...change,
    outcome: refused ? 'denied' : judged.approvers ? 'awaitingApproval' : 'allowed',
    policies: judged.decisions,
    ...(judged.quotas.length > 0 ? { quotas: judged.quotas } : {}),
  };
}
