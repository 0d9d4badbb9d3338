import {
  COMPOSITE_DRIVER, COMPOSITE_TARGET, ConflictError, InternalError, NotFoundError, QuotaError, assertName, externalNameFor, resolvePlan, validateInputs,
  type CreateInstanceRequest, type Credentials, type Environment, type Instance, type Page, type PavedEvent, type ProductVersion, type Team,
  type PageRequest, type Phase, type RequestInterface, type RequestPreview, type UpdateInstanceRequest,
  newId,
} from '@paved/model';
import { newApprovalId } from '@paved/store';
import type { Driver, Target } from '@paved/driver-api';
import type { SecretStore } from '@paved/secrets';
import type { GateReads, NewEvent, ReadyRider, SecretEnvelopeRow, Store } from '@paved/store';
import { productNotFound } from '../products/service.js';
import { findTeam, type Principal } from '../access/principal.js';
import { selectTarget } from './target-selection.js';
import { followInstance, type FollowOptions, type InstanceFollow } from './follow.js';
import { assertNotPart, withParts, withPartsOf } from './composition-parts.js';
import { quotaClaims } from './quota-claims.js';
import { findEnvironment } from '../catalog/environments/service.js';
import { PolicyGate, policyDenied, type GateRequest, type GateResult } from '../policies/gate.js';

/** What a watcher of one instance is told: its state on every change, then that it is gone. */
export type InstanceWatchEvent = {
  type: 'status';
  instance: Instance;
  /**
   * A watch for a reveal (InstanceWatchRequest's `forReveal`): the instance's credentials, sealed,
   * read in the same statement as `instance` (null: it has none yet); absent when not read with it
   * (the first status, the instance as the watch began with it). For the reveal only, never sent.
   */
  sealedCredentials?: SecretEnvelopeRow | null;
} | { type: 'deleted' };

/** How an instance is watched. */
export interface InstanceWatchRequest {
  /**
   * The watcher will have the credentials revealed on the stream once Ready (`?reveal=true`):
   * watching then needs the right to reveal, so a caller who may not is refused before the wait.
   */
  forReveal?: boolean;
}

/** Requesting, changing, deleting and reading a team's instances. */
/** A page of a team's instances, of one product when `product` is given, in one phase when `phase` is. */
export interface InstanceListRequest extends PageRequest {
  product?: string;
  phase?: Phase;
}

/*
 * `via` (create, update and their previews): the interface the request came through (its route
 * passes requestInterfaceOf(request)), which policies judge and the provenance keeps; 'api' when
 * not given (`paved up`'s own requests, tests).
 */
export interface InstanceService {
  /**
   * Refused (403 policy_denied) when a deny policy fails; held in AwaitingApproval when a
   * requireApproval one does. `recorded`: the request's `received` audit record, being written
   * while the create reads (RECEIVED_BESIDE): awaited before the instance is written, and its
   * failure is the create's.
   */
  create(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface, recorded?: Promise<void>): Promise<Instance>;
  /** What create would do: every policy decision and quota, nothing written (`--dry-run`). */
  previewCreate(principal: Principal, team: string, request: CreateInstanceRequest, via?: RequestInterface): Promise<RequestPreview>;
  /** What update would do, nothing written. */
  previewUpdate(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<RequestPreview>;
  get(principal: Principal, team: string, name: string): Promise<Instance>;
  /**
   * `get`'s answer without a promise when everything it needs is kept and still current (the
   * team and deprecations under the request's auth epoch, the instance under the store's change
   * counter: the same checks `get` makes, without their waits); undefined when something is not
   * known now or the answer would be an error: then `get`. Absent: always `get`.
   */
  getKept?(principal: Principal, team: string, name: string): Instance | undefined;
  list(principal: Principal, team: string, page: InstanceListRequest): Promise<Page<Instance>>;
  /** `list`'s page without a promise when all it needs is kept and current, as getKept; undefined otherwise: then `list`. */
  listKept?(principal: Principal, team: string, page: InstanceListRequest): Page<Instance> | undefined;
  update(principal: Principal, team: string, name: string, request: UpdateInstanceRequest, via?: RequestInterface): Promise<Instance>;
  /** Asks for deletion; asking again is fine and returns the instance as it is. */
  delete(principal: Principal, team: string, name: string): Promise<Instance>;
  /**
   * Every output, secret ones included; recorded as a `credentials.revealed` event. `watched`:
   * the instance as a watch stream (`?reveal=true`) has just read it for its Ready status, so it
   * is not read again (the team and the caller's access are checked as always).
   * `sealedCredentials`: its credentials as that same read brought them (InstanceWatchEvent),
   * opened only past the checks instead of read again; absent, they are read.
   * `underAuthEpoch`: `principal` as verified under that auth epoch, not asked again
   * (Reauthenticate.underEpoch): the event is appended only while the epoch is still that one, in
   * the same statement, else nothing is appended or revealed and AuthEpochMoved is thrown.
   */
  revealCredentials(principal: Principal, team: string, name: string, watched?: Instance, sealedCredentials?: SecretEnvelopeRow | null, underAuthEpoch?: number): Promise<Credentials>;
  /**
   * revealCredentials's checks made now, synchronously, for a reveal the instance's Ready write
   * may carry (Store.rideOnReady): the `credentials.revealed` event naming `keys` when `principal`
   * may reveal `watched`'s credentials with all it needs in hand (its team read under its auth
   * epoch); undefined otherwise (then revealCredentials, after the Ready). Absent: never.
   */
  revealEventAtReady?(principal: Principal, team: string, watched: Instance, keys: readonly string[]): NewEvent | undefined;
  /**
   * The credentials of `watched` (a Ready status a watch read, with its credentials still sealed
   * as read in the same statement) whose `credentials.revealed` event `recorded` the Ready's own
   * statement committed: opened, no check made again, nothing appended; refused (500) if they
   * are not the keys the event names.
   */
  revealRecorded?(team: string, watched: Instance, sealedCredentials: SecretEnvelopeRow | null | undefined, recorded: NewEvent): Promise<Credentials>;
  /** Store.rideOnReady: undefined (nothing registered) where the store has none. */
  rideOnReady?(instanceId: string, rider: ReadyRider): (() => void) | undefined;
  /**
   * Asks for a new credential: the engine issues it, the previous one keeps working for the
   * plan's grace period, then is revoked. Asking again before it is issued changes nothing.
   */
  rotate(principal: Principal, team: string, name: string): Promise<Instance>;
  /**
   * "Try again now": the engine takes the instance (and a composite's parts) at once, with the
   * failure backoff reset, and a Failed one shows Provisioning (or Deleting) until the result.
   */
  reconcile(principal: Principal, team: string, name: string): Promise<Instance>;
  events(principal: Principal, team: string, page: PageRequest): Promise<Page<PavedEvent>>;
  /**
   * Calls `listener` with the instance now and after every change of its status, and with
   * `deleted` once it is gone. Returns the function that stops watching.
   */
  watch(principal: Principal, team: string, name: string, listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): Promise<() => void>;
  /**
   * Follows an instance about to be created (createWatched): subscribed now, so that none of its
   * changes is missed; `start` takes only the instance `create` returned to the same caller,
   * whose create was authorized (so this checks nothing itself).
   */
  followNew(listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): InstanceFollow;
}

export interface InstanceServiceDeps {
  store: Store;
  secrets: SecretStore;
  targets: readonly Target[];
  /** The platform's drivers, to refuse a rotation the product's driver cannot do. Absent: not checked. */
  drivers?: Readonly<Record<string, Driver>>;
  /** The policies in force (docs/policies.md); absent: a gate over the same store. */
  gate?: PolicyGate;
}

/** A create as judged, before it is written: what the gate was asked, and its answer. */
type PreparedCreate = Pick<GateRequest, 'team' | 'name' | 'product' | 'plan' | 'inputs' | 'environment'> & {
  judged: GateResult;
  via: RequestInterface;
};

/** The auth epoch a reveal relied on has moved: nothing was appended or revealed; verify the caller again (InstanceService.revealCredentials). */
export class AuthEpochMoved extends Error {
  constructor() {
    super('the auth epoch moved since the caller was verified');
  }
}

export function instanceNotFound(team: string, name: string): NotFoundError {
  return new NotFoundError(`Team "${team}" has no instance "${name}"; list them with: paved list --team ${team}`, {
    code: 'instance_not_found',
    issues: [{ path: 'instance', message: 'no such instance' }],
  });
}

export class DefaultInstanceService implements InstanceService {
  /**
   * Published product versions never change (nor go away), so a found one is kept, by
   * name@version: a create then skips a read and a manifest parse, and validateInputs finds
   * its compiled validator by object instead of hashing the manifest. Which version is the
   * latest is still read from the store every time.
   */
  private readonly versions = new Map<string, ProductVersion>();

  constructor(private readonly deps: InstanceServiceDeps) {}

  async create(principal: Principal, teamName: string, request: CreateInstanceRequest, via: RequestInterface = 'api', recorded?: Promise<void>): Promise<Instance> {
    const prepared = await this.prepareCreate(principal, teamName, request, via);
    // Nothing is changed without the request's audit record (docs/audit.md).
    await recorded;
    const { team, name, product, plan, inputs, environment, judged } = prepared;
    if (judged.denied.length > 0) throw policyDenied(judged.denied);
    // A composite has no target of its own: its parts get theirs when the engine creates them.
    const target = product.manifest.spec.driver === COMPOSITE_DRIVER ? { name: COMPOSITE_TARGET } : selectTarget(product.manifest, this.deps.targets);
    const id = newId();
    // The quotas are counted again in the insert's transaction, under the team's lock.
    const quotas = judged.quotas.map(({ product: p, plan: q, max, adding }) => ({ product: p, plan: q, max, adding }));
    return this.deps.store.createInstance({
      id,
      teamId: team.id,
      name,
      product: product.name,
      productVersion: product.version,
      plan,
      inputs,
      externalName: externalNameFor(team.name, name, id),
      target: target.name,
      createdBy: principal.user.name,
      ...(quotas.length > 0 ? { quotas } : {}),
      ...(environment ? { environment: environment.name } : {}),
      provenance: { interface: prepared.via, decisions: judged.decisions },
      ...(judged.approvers ? { approval: { id: newApprovalId(), approvers: judged.approvers, decisions: judged.approvals } } : {}),
      productRead: product,
    });
  }

  async previewCreate(principal: Principal, teamName: string, request: CreateInstanceRequest, via: RequestInterface = 'api'): Promise<RequestPreview> {
    const { name, product, plan, environment, judged } = await this.prepareCreate(principal, teamName, request, via);
    return preview(judged, { name, product: product.name, version: product.version, plan, ...(environment ? { environment: environment.name } : {}) });
  }

  async previewUpdate(principal: Principal, teamName: string, name: string, request: UpdateInstanceRequest, via: RequestInterface = 'api'): Promise<RequestPreview> {
    const { instance, product, plan, judged } = await this.prepareUpdate(principal, teamName, name, request, via);
    return preview(judged, { name, product: product.name, version: product.version, plan, ...(instance.environment ? { environment: instance.environment } : {}) });
  }

  private async prepareCreate(principal: Principal, teamName: string, request: CreateInstanceRequest, via: RequestInterface): Promise<PreparedCreate> {
    const { store } = this.deps;
    const name = assertName('name', request.name);
    const team = await findTeam(store, teamName, principal);
    // A request that names its plan needs nothing of the product's manifest for what the gate
    // reads: the latest version, the usage and the policies are read together, one round trip on
    // PostgreSQL (Store.readForGate). resolvePlan keeps a named plan as it is or refuses it, and an
    // environment is found by its name, so the usage counted is the one the gate would count.
    const read = request.plan === undefined || request.plan === '' ? undefined : await store.readForGate({
      usage: { teamId: team.id, product: request.product, plan: request.plan, ...(request.environment === undefined ? {} : { environment: request.environment }) },
      latestVersion: request.version === undefined,
    });
    const product = await this.productVersion(request.product, request.version, read);
    const plan = resolvePlan(product.manifest, request.plan);
    const inputs = validateInputs(product.manifest, request.inputs ?? {});
    const environment = request.environment === undefined ? undefined : await findEnvironment(store, request.environment);
    const judged = await this.gate().judge({
      operation: 'create', team, name, product, plan, inputs, ...(environment ? { environment } : {}), interface: via, user: principal.user.name,
      quotas: await quotaClaims(store, product, plan),
    }, read);
    return { team, name, product, plan, inputs, ...(environment ? { environment } : {}), judged, via };
  }

  private gate(): PolicyGate {
    return this.deps.gate ?? (this.ownGate ??= new PolicyGate(this.deps.store));
  }

  private ownGate: PolicyGate | undefined;

  getKept(principal: Principal, teamName: string, name: string): Instance | undefined {
    const team = principal.reads?.keptTeam(teamName);
    const found = team && this.deps.store.keptInstanceWithParts(team.id, name);
    return found && withPartsOf(found.instance, found.parts);
  }

  async get(principal: Principal, teamName: string, name: string): Promise<Instance> {
    const team = await findTeam(this.deps.store, teamName, principal);
    const found = await this.deps.store.getInstanceWithParts(team.id, name);
    if (!found) throw instanceNotFound(teamName, name);
    return withPartsOf(found.instance, found.parts);
  }

  listKept(principal: Principal, teamName: string, page: InstanceListRequest): Page<Instance> | undefined {
    const team = principal.reads?.keptTeam(teamName);
    return team && this.deps.store.keptInstancePage({ teamIds: [team.id], cursor: page.cursor, limit: page.limit, product: page.product, phase: page.phase });
  }

  async list(principal: Principal, teamName: string, page: InstanceListRequest): Promise<Page<Instance>> {
    const team = await findTeam(this.deps.store, teamName, principal);
    return this.deps.store.listInstances({ teamIds: [team.id], cursor: page.cursor, limit: page.limit, product: page.product, phase: page.phase });
  }

  async update(principal: Principal, teamName: string, name: string, request: UpdateInstanceRequest, via: RequestInterface = 'api'): Promise<Instance> {
    const { team, instance, product, plan, inputs, judged } = await this.prepareUpdate(principal, teamName, name, request, via);
    if (judged.denied.length > 0) throw policyDenied(judged.denied);
    const quota = judged.quotas.find((q) => !q.passed);
    if (quota) throw quotaExceeded(team, quota.product, quota.plan, quota.max);
    return this.deps.store.updateInstanceSpec(instance.id, { plan, productVersion: product.version, inputs }, principal.user.name, { interface: via, decisions: judged.decisions });
  }

  private async prepareUpdate(principal: Principal, teamName: string, name: string, request: UpdateInstanceRequest, via: RequestInterface) {
    const { store } = this.deps;
    const { team, instance } = await this.find(teamName, name, principal);
    assertNotPart(instance, 'changed');
    if (instance.deletionRequested) {
      throw new ConflictError(`${teamName}/${name} is being deleted and can no longer change`, { code: 'instance_deleting' });
    }
    assertDecided(instance);
    const product = await this.productVersion(instance.product, request.version ?? instance.productVersion);
    const plan = resolvePlan(product.manifest, request.plan ?? instance.plan);
    const inputs = validateInputs(product.manifest, request.inputs ?? instance.inputs);
    const perTeam = product.manifest.spec.plans[plan]?.quota?.perTeam;
    const environment = instance.environment === undefined ? undefined : await store.getEnvironment(instance.environment);
    const judged = await this.gate().judge({
      operation: 'update', team, name, product, plan, inputs, ...(environment ? { environment } : {}),
      ...(instance.workload ? { service: instance.workload.service } : {}), interface: via, user: principal.user.name,
      // Only a move to another plan takes one more of that plan.
      quotas: plan !== instance.plan && perTeam !== undefined ? [{ product: product.name, plan, max: perTeam, adding: 1 }] : [],
    });
    // A change is judged like a create, but approvals hold new requests only: a change a
    // requireApproval policy fails is refused like a denied one.
    const { approvers: _unused, ...rest } = judged;
    return { team, instance, product, plan, inputs, judged: { ...rest, denied: [...judged.denied, ...judged.approvals], approvals: [] } as GateResult };
  }

  async delete(principal: Principal, team: string, name: string): Promise<Instance> {
    const { instance } = await this.find(team, name, principal);
    assertNotPart(instance, 'deleted');
    if (instance.deletionRequested) return instance;
    return this.deps.store.requestDeletion(instance.id, principal.user.name);
  }

  async revealCredentials(principal: Principal, teamName: string, name: string, watched?: Instance, sealedCredentials?: SecretEnvelopeRow | null, underAuthEpoch?: number): Promise<Credentials> {
    const { team, instance } = watched === undefined ? await this.find(teamName, name, principal) : await this.watchedIn(teamName, watched, principal);
    // Credentials exist from the first time the instance became Ready; before that the
    // resource may not exist and the secret may not be final.
    if (instance.status.phase !== 'Ready' && instance.status.readyAt === undefined) {
      throw new ConflictError(`${teamName}/${name} is not Ready yet (phase ${instance.status.phase}); wait for Ready: paved get ${name}`, {
        code: 'not_ready',
      });
    }
    // Opened only here, past every check.
    const values = await this.credentialValues(instance, watched === undefined ? undefined : sealedCredentials);
    const revealed = revealedEvent(principal, team.id, instance, Object.keys(values).sort());
    if (underAuthEpoch === undefined) await this.deps.store.appendEvent(revealed);
    else if ((await this.deps.store.appendEventWhileAuthEpoch(revealed, underAuthEpoch)) === undefined) throw new AuthEpochMoved();
    return { instance: instance.name, team: team.name, values };
  }

  revealEventAtReady(principal: Principal, teamName: string, watched: Instance, keys: readonly string[]): NewEvent | undefined {
    // revealCredentials's checks with the team as kept under the caller's epoch (watchedIn's), the phase the Ready's.
    const team = principal.reads?.keptTeam(teamName);
    return team === undefined || watched.teamId !== team.id ? undefined : revealedEvent(principal, team.id, watched, keys);
  }

  async revealRecorded(teamName: string, watched: Instance, sealedCredentials: SecretEnvelopeRow | null | undefined, recorded: NewEvent): Promise<Credentials> {
    const values = await this.credentialValues(watched, sealedCredentials);
    const keys = Object.keys(values).sort();
    const named = (recorded.data as { keys?: unknown } | undefined)?.keys;
    if (!Array.isArray(named) || named.length !== keys.length || keys.some((key, n) => named[n] !== key)) {
      throw new InternalError(`${teamName}/${watched.name}: the credentials are not those its Ready recorded as revealed`);
    }
    return { instance: watched.name, team: teamName, values };
  }

  rideOnReady(instanceId: string, rider: ReadyRider): (() => void) | undefined {
    return this.deps.store.rideOnReady?.(instanceId, rider);
  }

  /**
   * Every output of `instance`, its credentials opened: from `sealedCredentials` when a watch's
   * re-read brought them along (one statement, one snapshot with the Ready it showed), else read now.
   */
  private async credentialValues(instance: Instance, sealedCredentials: SecretEnvelopeRow | null | undefined): Promise<Record<string, string>> {
    const { open } = this.deps.secrets;
    const secret = (sealedCredentials !== undefined && open !== undefined
      ? sealedCredentials && open(sealedCredentials)
      : await this.deps.secrets.get(instance.id, 'credentials')) ?? {};
    return { ...instance.outputs, ...secret };
  }

  async rotate(principal: Principal, teamName: string, name: string): Promise<Instance> {
    const { instance } = await this.find(teamName, name, principal);
    assertNotPart(instance, 'rotated');
    const product = await this.productVersion(instance.product, instance.productVersion);
    const driverName = product.manifest.spec.driver;
    const driver = this.deps.drivers?.[driverName];
    if (this.deps.drivers !== undefined && (driver?.rotate === undefined || driver.revoke === undefined)) {
      throw new ConflictError(`${instance.product} instances cannot rotate their credentials: driver "${driverName}" does not support rotation; ask the ${product.manifest.metadata.owner} team`, {
        code: 'rotation_unsupported',
        issues: [{ path: 'instance', message: `driver "${driverName}" cannot rotate credentials` }],
      });
    }
    return this.deps.store.requestRotation(instance.id, principal.user.name);
  }

  async reconcile(principal: Principal, teamName: string, name: string): Promise<Instance> {
    const { store } = this.deps;
    const { instance } = await this.find(teamName, name, principal);
    assertDecided(instance);
    // Parts first: a composite's pass then finds them retrying rather than still Failed.
    // Asking for a part alone is fine too: retrying changes nothing the composite relies on.
    for (const part of await store.listInstanceParts(instance.id)) await store.requestReconcile(part.id, principal.user.name);
    return withParts(store, await store.requestReconcile(instance.id, principal.user.name));
  }

  async events(principal: Principal, teamName: string, page: PageRequest): Promise<Page<PavedEvent>> {
    const team = await findTeam(this.deps.store, teamName, principal);
    return this.deps.store.listEvents({ teamId: team.id, cursor: page.cursor, limit: page.limit });
  }

  async watch(principal: Principal, team: string, name: string, listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): Promise<() => void> {
    const following = followInstance(this.deps.store, listener, followOptions(request));
    let instance: Instance;
    try {
      ({ instance } = await this.find(team, name, principal));
    } catch (error) {
      following.stop();
      throw error;
    }
    following.start(instance);
    return following.stop;
  }

  followNew(listener: (event: InstanceWatchEvent) => void, request?: InstanceWatchRequest): InstanceFollow {
    return followInstance(this.deps.store, listener, followOptions(request));
  }

  /** The team of an instance a watch read: its own team's, or not found (the watch was of that name in that team). */
  private async watchedIn(teamName: string, watched: Instance, principal: Principal): Promise<{ team: Team; instance: Instance }> {
    const team = await findTeam(this.deps.store, teamName, principal);
    if (watched.teamId !== team.id) throw instanceNotFound(teamName, watched.name);
    return { team, instance: watched };
  }

  private async find(teamName: string, name: string, principal: Principal): Promise<{ team: Team; instance: Instance }> {
    const team = await findTeam(this.deps.store, teamName, principal);
    const instance = await this.deps.store.getInstanceByName(team.id, name);
    if (!instance) throw instanceNotFound(teamName, name);
    return { team, instance };
  }

  /** `read`: the latest version as read with the gate's reads (readForGate), when it was asked for. */
  private async productVersion(product: string, version: string | undefined, read?: GateReads): Promise<ProductVersion> {
    const wanted = version ?? (read !== undefined ? read.latestVersion : await this.deps.store.latestProductVersion(product));
    const key = `${product}@${wanted}`;
    const cached = wanted === undefined ? undefined : this.versions.get(key);
    if (cached) return cached;
    const found = wanted === undefined ? undefined : await this.deps.store.getProductVersion(product, wanted);
    if (found) {
      // Bounded: the shelf is small, but names come from requests.
      if (this.versions.size >= 256) this.versions.delete(this.versions.keys().next().value!);
      this.versions.set(key, found);
      return found;
    }
    if (version === undefined || !(await this.deps.store.getProductVersion(product))) throw productNotFound(product);
    throw new NotFoundError(`${product} has no version ${version}; see its versions with: paved products show ${product}`, {
      code: 'version_not_found',
      issues: [{ path: 'version', message: 'no such version' }],
    });
  }
}

/** The audit event of a reveal: who saw which keys of which instance, never the values. */
function revealedEvent(principal: Principal, teamId: string, instance: Instance, keys: readonly string[]): NewEvent {
  return { kind: 'credentials.revealed', teamId, instanceId: instance.id, actor: principal.user.name, data: { instance: instance.name, keys } };
}

/** A watch for a reveal re-reads the instance with its credentials (follow.ts). */
function followOptions(request: InstanceWatchRequest | undefined): FollowOptions {
  return request?.forReveal ? { withSecret: 'credentials' } : {};
}

/** A request waiting for approval, or denied, is not the engine's yet: nothing may change or retry it. */
function assertDecided(instance: Instance): void {
  const { phase, approval } = instance.status;
  if (phase !== 'AwaitingApproval' && phase !== 'Denied') return;
  const message = phase === 'AwaitingApproval'
    ? `${instance.name} is waiting for approval by team ${approval?.approvers ?? '?'} (paved approvals list); it can change once decided`
    : `${instance.name} was denied${approval?.reason ? ` (${approval.reason})` : ''}; delete it (paved delete ${instance.name}) and ask again`;
  throw new ConflictError(message, { code: phase === 'AwaitingApproval' ? 'awaiting_approval' : 'approval_denied', issues: [{ path: 'instance', message: phase }] });
}

function preview(judged: GateResult, request: RequestPreview['request']): RequestPreview {
  const refused = judged.denied.length > 0 || judged.quotas.some((q) => !q.passed);
  return { outcome: refused ? 'denied' : judged.approvers ? 'awaitingApproval' : 'allowed', request, decisions: judged.decisions, quotas: judged.quotas };
}

function quotaExceeded(team: Team, product: string, plan: string, max: number): QuotaError {
  return new QuotaError(`Team "${team.name}" already has ${max} ${product} instance(s) on plan ${plan}, its quota; delete one or pick another plan`, {
    code: 'quota_exceeded',
    issues: [{ path: 'plan', message: `quota of ${max} per team reached` }],
  });
}
