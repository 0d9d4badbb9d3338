import { isTargetUnreachable, type Driver, type Logger, type Target } from '@paved/driver-api';
import type { Instance, InstanceStatus, ProductVersion } from '@paved/model';
import { NEVER_DUE, isoAt, type ClaimedInstance, type EngineState, type NewEvent, type StatusWrite, type Store, type WriteOutcome } from '@paved/store';
import type { SecretStore } from '@paved/secrets';
import { backoffDelay, UNREACHABLE_RETRY_MAX_MS, type BackoffOptions } from './backoff.js';
import { failureStatus, isPending, isRetryable, missingStatus, PENDING_POLL_MS, type FailureStage, type MissingReason } from './failure.js';
import type { Failpoint } from './failpoints.js';
import { LeaseLost, SimulatedCrash } from './interruptions.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { LeaseRenewals } from './lease-renewals.js';
import type { StatusSubject } from './status.js';
import type { TargetGate } from './target-gate.js';
import { passSecrets } from './pass-secrets.js';
import type { RecordedByCreate } from './create-intent.js';
import type { Clock, EngineObserver } from './types.js';

/** Everything a pass needs, resolved once by createEngine from EngineOptions and its defaults. */
export interface PassDeps {
  store: Store;
  secrets: SecretStore;
  drivers: Record<string, Driver>;
  targets: Target[];
  productVersion(name: string, version: string): Promise<ProductVersion | undefined>;
  /** Told when a pass's last write (recordLast) has been handed to the store: from then on the pass waits for its commit. */
  lastWriteSent?(instanceId: string): void;
  logger: Logger;
  clock: Clock;
  backoff: BackoffOptions;
  driftIntervalMs: number;
  checkTimeoutMs: number;
  random: () => number;
  failpoint?: (name: Failpoint) => void;
  gate: TargetGate;
  /** Renews the leases of the passes under way (every leaseMs/3), on one sleep for them all. */
  leases: LeaseRenewals;
  observer?: EngineObserver;
}

/** What the instance needs from this server's configuration, all found. */
export interface Resolved {
  product: ProductVersion;
  driver: Driver;
  target: Target;
}

/**
 * One reconcile pass over one claimed instance: the lease-guarded writes, the crash points
 * and the failure record. Every write goes through here so that a lost lease stops the pass
 * at the first write that notices it.
 */
export class Pass {
  /** Set once forgetInstance succeeded: the row and its lease are gone. */
  forgotten = false;
  /** Set once the pass's last write ended the lease with it (recordLast): runPass has none to release. */
  released = false;
  /** The last status this pass wrote (what it leaves the instance as), for the observer. */
  lastWrite: StatusWrite | undefined;
  /**
   * How many of this pass's writes changed the instance as a watcher sees it (each one told on the
   * store's change feed): the engine tells these from changes made by others while it held the instance.
   */
  ownChanges = 0;
  /** When the instance was claimed (the pass starts at once), and the time its contract checks took: where a time to Ready went. */
  readonly claimedAt: number;
  checksMs = 0;
  /** The secret store as this pass sees it (pass-secrets.ts): what the claim knew spares a read. */
  readonly secrets: SecretStore;

  /**
   * Set while the intent the claim carries was recorded by this pass's own create and no driver
   * call has started (create-intent.ts): taken once, by the first plan (recordedByCreate).
   */
  #recorded: RecordedByCreate | undefined;

  constructor(
    readonly deps: PassDeps,
    readonly claimed: ClaimedInstance,
    readonly lease: LeaseKeeper,
    recorded?: RecordedByCreate,
  ) {
    this.claimedAt = deps.clock.now();
    this.secrets = passSecrets(deps.secrets, claimed);
    this.#recorded = recorded;
  }

  /** What the create recorded for this pass, if anything, once: a later plan (after a create met the resource) observes. */
  recordedByCreate(): RecordedByCreate | undefined {
    const recorded = this.#recorded;
    this.#recorded = undefined;
    return recorded;
  }

  get instance(): Instance {
    return this.claimed.instance;
  }

  get previous(): InstanceStatus {
    return this.claimed.instance.status;
  }

  now(): number {
    return this.deps.clock.now();
  }

  nowIso(): string {
    return isoAt(this.now());
  }

  /** A named crash point: a failpoint that throws ends the pass as if the process died here. */
  crashPoint(name: Failpoint): void {
    if (this.deps.failpoint === undefined) return;
    try {
      this.deps.failpoint(name);
    } catch (error) {
      throw new SimulatedCrash(name, { cause: error });
    }
  }

  /** Throws LeaseLost when a renewal already found the lease gone (checked before each side effect). */
  assertLease(): void {
    if (this.lease.lost) throw new LeaseLost(this.instance.id);
  }

  #guard(outcome: WriteOutcome): WriteOutcome {
    if (outcome === 'lost-lease') {
      this.lease.markLost();
      throw new LeaseLost(this.instance.id);
    }
    return outcome;
  }

  async recordEngineState(engine: Partial<EngineState>): Promise<void> {
    this.assertLease();
    this.#guard(await this.deps.store.recordEngineState(this.instance.id, this.lease.token, engine));
  }

  async recordStatus(write: StatusWrite): Promise<WriteOutcome> {
    this.assertLease();
    const outcome = this.#guard(await this.deps.store.recordStatus(this.instance.id, this.lease.token, write));
    this.lastWrite = write;
    if (outcome === 'changed') this.ownChanges++;
    const ready = outcome === 'changed' ? write.events?.find((event) => event.kind === 'instance.ready') : undefined;
    if (ready !== undefined) {
      observe(this.deps, (observer) => observer.firstReady({ product: this.instance.product, timeToReadyMs: Number(ready.data?.timeToReadyMs ?? 0) }));
    }
    return outcome;
  }

  /**
   * The pass's last write: the lease ends in the same statement (StatusWrite.releaseLease), so a
   * pass writes once less. Only for a write after which the pass returns: any later write would
   * find the lease gone.
   */
  async recordLast(write: StatusWrite): Promise<WriteOutcome> {
    const written = this.recordStatus({ ...write, releaseLease: true });
    this.deps.lastWriteSent?.(this.instance.id);
    const outcome = await written;
    this.released = true;
    this.lease.stop();
    return outcome;
  }

  async forget(): Promise<void> {
    this.assertLease();
    this.#guard(await this.deps.store.forgetInstance(this.instance.id, this.lease.token));
    this.forgotten = true;
    this.ownChanges++;
  }

  event(kind: NewEvent['kind'], data?: Record<string, unknown>): NewEvent {
    return { kind, teamId: this.instance.teamId, instanceId: this.instance.id, ...(data === undefined ? {} : { data }) };
  }

  subject(targetName: string = this.instance.target): StatusSubject {
    const { product, productVersion, externalName, generation } = this.instance;
    return { product, productVersion, target: targetName, externalName, generation };
  }

  /**
   * Next due time after a failure: exponential backoff with full jitter on the attempt count.
   * An unreachable target caps it at UNREACHABLE_RETRY_MAX_MS, so the instance resumes soon
   * after the target is back. A real error after waiting for the target counts from one: the
   * waiting was no failed attempt of the request.
   */
  #retryEngineState(error?: unknown): Partial<EngineState> {
    const unreachable = error !== undefined && isTargetUnreachable(error);
    const waited = this.previous.conditions.some((condition) => condition.type === 'Ready' && condition.reason === 'TargetUnreachable');
    const attempts = !unreachable && waited ? 1 : this.claimed.engine.attempts + 1;
    const backoff = unreachable ? { ...this.deps.backoff, maxMs: Math.min(this.deps.backoff.maxMs, UNREACHABLE_RETRY_MAX_MS) } : this.deps.backoff;
    return { attempts, dueAt: this.now() + backoffDelay(attempts, backoff, this.deps.random) };
  }

  #enteringFailed(status: InstanceStatus, final: boolean): NewEvent[] {
    if (!final || status.phase !== 'Failed' || this.previous.phase === 'Failed') return [];
    const ready = status.conditions.find((condition) => condition.type === 'Ready');
    return [this.event('instance.failed', { reason: ready?.reason, message: ready?.message })];
  }

  /**
   * The pass's last write (it ends the lease). `applied`: what this pass already achieved and must keep (a create whose checks could not
   * reach the target: its outputs, the generation it applied, and that no call is pending).
   */
  async recordFailure(
    stage: FailureStage,
    error: unknown,
    support: string,
    step?: string,
    applied: Pick<StatusWrite, 'outputs' | 'observedGeneration'> & { engine?: Partial<EngineState> } = {},
  ): Promise<void> {
    // Work under way elsewhere is not a failed attempt: poll at a steady pace, never give up. A
    // failure retrying cannot help (a script's exit code 2, inputs the product no longer takes)
    // waits for a change or `paved reconcile`, as its message says: retried, it would flip the
    // instance back to Provisioning and run the same refused work again at every backoff.
    const retry = isPending(error) ? { attempts: this.claimed.engine.attempts, dueAt: this.now() + PENDING_POLL_MS }
      : isRetryable(error) || isTargetUnreachable(error) ? this.#retryEngineState(error)
        : { attempts: this.claimed.engine.attempts + 1, dueAt: NEVER_DUE };
    const { engine: appliedEngine, ...appliedStatus } = applied;
    const engine = { ...appliedEngine, ...retry };
    const { generation, observedGeneration, deletionRequested } = this.instance;
    const outcome = failureStatus(
      this.previous,
      {
        stage,
        ...(step === undefined ? {} : { step }),
        error,
        attempts: engine.attempts!,
        deleting: deletionRequested,
        wasReady: this.previous.phase === 'Ready' && generation === observedGeneration,
        support,
      },
      this.subject(),
      this.nowIso(),
    );
    this.deps.logger.warn(
      { instanceId: this.instance.id, stage, step, attempts: engine.attempts, final: outcome.final, err: outcome.status.lastError },
      'reconcile failed',
    );
    await this.recordLast({ ...appliedStatus, status: outcome.status, engine, events: this.#enteringFailed(outcome.status, outcome.final) });
  }

  async recordMissing(reason: MissingReason, message: string): Promise<void> {
    const engine = this.#retryEngineState();
    const status = missingStatus(this.previous, reason, message, this.instance.deletionRequested, this.nowIso());
    this.deps.logger.warn({ instanceId: this.instance.id, reason }, message);
    await this.recordLast({ status, engine, events: this.#enteringFailed(status, true) });
  }
}

/** Tells the observer, if any; an observer's failure never reaches the pass. */
export function observe(deps: PassDeps, tell: (observer: EngineObserver) => void): void {
  if (deps.observer === undefined) return;
  try {
    tell(deps.observer);
  } catch (error) {
    deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'the engine observer failed');
  }
}

/** Finds the product version, driver and target of the instance, or says which is missing and what to do. */
export async function resolveFor(pass: Pass): Promise<Resolved | { missing: MissingReason; message: string }> {
  const { product: name, productVersion: version, target: targetName } = pass.instance;
  const product = await pass.deps.productVersion(name, version);
  if (product === undefined) {
    return {
      missing: 'ProductVersionNotFound',
      message: `Product version ${name}@${version} is not published on this Paved server; publish it with "paved apply -f", or move the instance to a published version.`,
    };
  }
  const driverType = product.manifest.spec.driver;
  const driver = pass.deps.drivers[driverType];
  if (driver === undefined) {
    return {
      missing: 'DriverNotFound',
      message: `Product ${name}@${version} uses driver "${driverType}", which this Paved server does not load; enable that driver in the server configuration, or ask the platform team.`,
    };
  }
  const target = pass.deps.targets.find((candidate) => candidate.name === targetName);
  if (target === undefined) {
    return {
      missing: 'TargetNotFound',
      message: `Target "${targetName}" is not configured on this Paved server; add it to the server configuration, or ask the platform team.`,
    };
  }
  return { product, driver, target };
}

/** Where a requester should ask for help with this product. */
export function supportOf(product: ProductVersion | undefined): string {
  const spec = product?.manifest.spec;
  return spec?.support?.channel ?? spec?.support?.url ?? (product === undefined ? 'the platform team' : `the ${product.manifest.metadata.owner} team`);
}
