import { haltMessage, validateInputs, type Instance, type Rollout, type RolloutTarget, type RolloutTargetState, type ProductVersion } from '@paved/model';
import type { Driver, Logger } from '@paved/driver-api';
import type { ClaimedRollout, NewEvent, RolloutProgress, Store } from '@paved/store';
import type { Failpoint } from './failpoints.js';
import { SimulatedCrash } from './interruptions.js';
import { judgeHealth, targetsOfWave } from './rollout-plan.js';
import type { Clock, RolloutPolicyCheck } from './types.js';

/** Everything a rollout step needs, resolved by createEngine. */
export interface RolloutDeps {
  store: Store;
  drivers: Record<string, Driver>;
  productVersion(name: string, version: string): Promise<ProductVersion | undefined>;
  clock: Clock;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  /** How often a running rollout is looked at (its instances' health, its soak). */
  tickMs: number;
  failpoint?: (name: Failpoint) => void;
  /** The policies' say on each instance when its wave starts (EngineOptions.rolloutPolicyCheck). */
  policyCheck?: RolloutPolicyCheck;
}

type TargetChange = NonNullable<RolloutProgress['targets']>[number];

/** A rollout's lease was taken over: this step ends without another write. */
class RolloutLeaseLost extends Error {}

/**
 * One step of one claimed rollout (docs/rollouts.md): apply the current wave (upgrade its
 * pending instances, judge the upgraded ones), soak it, or roll a halted wave's failures back.
 * Every decision is recorded before the side effect it leads to (an instance is marked
 * upgrading before its version moves), and every side effect is idempotent (a version moves
 * only from the version recorded), so a step cut short by a crash is simply done again by
 * whoever claims the rollout next.
 */
export class RolloutStep {
  private readonly rollout: Rollout;
  private readonly now: number;
  private readonly actor: string;
  /** The product's instances as this step found them, read once (a page per 500), not one query per instance. */
  private found: Promise<Map<string, Instance>> | undefined;

  constructor(private readonly deps: RolloutDeps, private readonly claimed: ClaimedRollout) {
    this.rollout = claimed.rollout;
    this.now = deps.clock.now();
    this.actor = claimed.rollout.createdBy;
  }

  async run(): Promise<void> {
    switch (this.rollout.state) {
      case 'Running':
        return this.rollout.stage === 'applying' ? this.applyWave() : this.soak();
      case 'RollingBack':
        return this.rollBack();
      default:
        // Paused or final: nothing is due until a resume.
        return this.write({ dueAt: null });
    }
  }

  /** An instance as this step found it; undefined when it is gone. */
  private async instance(id: string): Promise<Instance | undefined> {
    this.found ??= (async () => {
      const byId = new Map<string, Instance>();
      let cursor: string | undefined;
      do {
        const page = await this.deps.store.listInstances({ product: this.rollout.product, topLevel: true, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
        for (const instance of page.items) byId.set(instance.id, instance);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return byId;
    })();
    return (await this.found).get(id);
  }

  private get next(): number {
    return this.now + this.deps.tickMs;
  }

  private crashPoint(name: Failpoint): void {
    if (this.deps.failpoint === undefined) return;
    try {
      this.deps.failpoint(name);
    } catch (error) {
      throw new SimulatedCrash(name, { cause: error });
    }
  }

  private async write(progress: RolloutProgress): Promise<void> {
    if ((await this.deps.store.recordRolloutProgress(this.rollout.id, this.claimed.leaseToken, progress)) === 'lost-lease') throw new RolloutLeaseLost();
  }

  private event(kind: NewEvent['kind'], data: Record<string, unknown>): NewEvent {
    return { kind, actor: this.actor, data: { rollout: this.rollout.id, product: this.rollout.product, ...data } };
  }

  private async ownerEvent(kind: NewEvent['kind'], data: Record<string, unknown>): Promise<NewEvent> {
    const owner = await this.deps.store.getProductOwner(this.rollout.product);
    const team = owner === undefined ? undefined : await this.deps.store.getTeam({ name: owner });
    return { ...this.event(kind, data), ...(team === undefined ? {} : { teamId: team.id }) };
  }

  /** Whether a pending target may be upgraded, or what it is instead (held, skipped, current). */
  private async admit(target: RolloutTarget): Promise<{ state: RolloutTargetState; message: string } | 'go'> {
    const { store } = this.deps;
    const instance = await this.instance(target.instanceId);
    if (instance === undefined) return { state: 'skipped', message: 'deleted before its wave' };
    if (instance.deletionRequested) return { state: 'skipped', message: 'being deleted' };
    const hold = await store.getHold(instance.id);
    if (hold !== undefined) return { state: 'held', message: `held by ${hold.heldBy}: ${hold.reason}` };
    if (instance.productVersion === this.rollout.toVersion) return { state: 'current', message: `already on ${this.rollout.toVersion}` };
    if (instance.productVersion !== target.fromVersion) return { state: 'skipped', message: `moved to ${instance.productVersion} since the rollout started` };
    const product = await this.deps.productVersion(this.rollout.product, this.rollout.toVersion);
    if (product === undefined) return { state: 'skipped', message: `version ${this.rollout.toVersion} is not published` };
    if (product.manifest.spec.plans[instance.plan] === undefined) return { state: 'skipped', message: `plan ${instance.plan} does not exist in ${this.rollout.toVersion}; upgrade it by hand with another plan` };
    try {
      validateInputs(product.manifest, instance.inputs);
    } catch (error) {
      return { state: 'skipped', message: `its inputs do not fit ${this.rollout.toVersion}: ${error instanceof Error ? error.message : String(error)}` };
    }
    // Judged now, not when the rollout started: the policies in force when its wave comes decide.
    const refused = await this.deps.policyCheck?.(instance, product, this.actor);
    if (refused !== undefined) return { state: 'skipped', message: `${refused}; the rollout goes on without it` };
    return 'go';
  }

  /** Health of a target moved to `version` when it last changed state. */
  private async health(position: number, target: RolloutTarget, version: string) {
    const instance = await this.instance(target.instanceId);
    const since = this.claimed.changedAt[position] ?? this.now;
    const health = judgeHealth(instance, version, since);
    if (health.kind === 'waiting' && this.now - since > this.rollout.settings.readyTimeoutMs) {
      return { kind: 'failed' as const, message: `not Ready on ${version} within ${Math.round(this.rollout.settings.readyTimeoutMs / 1000)} s` };
    }
    return health;
  }

  private async applyWave(): Promise<void> {
    const { store } = this.deps;
    const { toVersion, wave } = this.rollout;
    const changes: TargetChange[] = [];
    let unsettled = 0;
    for (const { position, target } of targetsOfWave(this.rollout, wave)) {
      let state = target.state;
      if (state === 'pending') {
        const verdict = await this.admit(target);
        if (verdict !== 'go') {
          changes.push({ position, ...verdict });
          continue;
        }
        // Intent before the side effect: a crash after this resumes by moving the version (once).
        await this.write({ dueAt: this.next, targets: [{ position, state: 'upgrading', message: '' }] });
        this.crashPoint('rollout:after-intent');
        state = 'upgrading';
        this.rollout.targets[position] = { ...target, state };
        this.claimed.changedAt[position] = this.now;
      }
      if (state !== 'upgrading') continue;
      const instance = await this.instance(target.instanceId);
      if (instance !== undefined && !instance.deletionRequested && instance.productVersion === target.fromVersion) {
        await store.moveInstanceVersion(instance.id, { from: target.fromVersion, to: toVersion, actor: this.actor, kind: 'instance.upgraded', rollout: this.rollout.id });
        unsettled++;
        continue;
      }
      const health = await this.health(position, target, toVersion);
      if (health.kind === 'healthy') changes.push({ position, state: 'upgraded', message: '' });
      else if (health.kind === 'failed') changes.push({ position, state: 'failed', message: health.message });
      else unsettled++;
    }
    const failed = changes.filter((change) => change.state === 'failed');
    if (failed.length > 0) return this.halt(changes);
    if (unsettled > 0) return this.write({ dueAt: this.next, targets: changes });
    // Every instance of the wave is healthy (or was skipped): the soak begins.
    return this.write({ dueAt: this.next, targets: changes, stage: 'soaking', soakStartedAt: this.now, message: `wave ${wave + 1} of ${this.rollout.waves} soaking` });
  }

  private async soak(): Promise<void> {
    const { toVersion, wave, waves, settings } = this.rollout;
    const changes: TargetChange[] = [];
    for (const [position, target] of this.rollout.targets.entries()) {
      if (target.wave > wave || target.state !== 'upgraded') continue;
      const health = await this.health(position, target, toVersion);
      // Waiting is fine while soaking (a drift pass, a change of inputs); a failure is not.
      if (health.kind === 'failed') changes.push({ position, state: 'failed', message: health.message });
    }
    if (changes.length > 0) return this.halt(changes);
    const soakStarted = this.rollout.soakStartedAt === undefined ? this.now : Date.parse(this.rollout.soakStartedAt);
    const soakEnds = soakStarted + settings.soakMs;
    if (this.now < soakEnds) return this.write({ dueAt: Math.min(this.next, soakEnds) });
    if (wave + 1 >= waves) {
      const done = this.rollout.targets.filter((t) => t.state === 'upgraded').length;
      const message = `completed: ${done} upgraded to ${toVersion}${this.notTouched()}`;
      return this.write({ state: 'Completed', dueAt: null, soakStartedAt: null, message, events: [await this.ownerEvent('rollout.completed', { to: toVersion, upgraded: done })] });
    }
    await this.write({ dueAt: this.now, wave: wave + 1, stage: 'applying', soakStartedAt: null, message: `wave ${wave + 2} of ${waves} applying` });
    this.crashPoint('rollout:after-wave');
  }

  private notTouched(): string {
    const held = this.rollout.targets.filter((t) => t.state === 'held').length;
    const skipped = this.rollout.targets.filter((t) => t.state === 'skipped').length;
    return `${held > 0 ? `; ${held} held` : ''}${skipped > 0 ? `; ${skipped} skipped` : ''}`;
  }

  /**
   * The wave is unhealthy: stop. Its instances still on their way count as failed too (none
   * is left half-upgraded), and every failed one is rolled back where its driver can.
   */
  private async halt(changes: TargetChange[]): Promise<void> {
    const decided = new Set(changes.map((change) => change.position));
    for (const [position, target] of this.rollout.targets.entries()) {
      if (target.state === 'upgrading' && !decided.has(position)) changes.push({ position, state: 'failed', message: 'halted before it was healthy' });
    }
    const first = changes.find((change) => change.state === 'failed')!;
    const target = this.rollout.targets[first.position]!;
    const message = haltMessage(this.rollout.wave, this.rollout.waves, target, first.message);
    this.deps.logger.warn({ rollout: this.rollout.id, product: this.rollout.product }, message);
    await this.write({ state: 'RollingBack', dueAt: this.now, targets: changes, message });
  }

  /** Whether `update` can take an instance of this product from `to` back to `from`. */
  private async canRollBack(target: RolloutTarget): Promise<string | undefined> {
    const [from, to] = await Promise.all([
      this.deps.productVersion(this.rollout.product, target.fromVersion),
      this.deps.productVersion(this.rollout.product, this.rollout.toVersion),
    ]);
    if (from === undefined || to === undefined) return 'a version is no longer published';
    const driver = from.manifest.spec.driver;
    if (driver !== to.manifest.spec.driver) return `${this.rollout.toVersion} changed the driver (${driver} → ${to.manifest.spec.driver})`;
    if (this.deps.drivers[driver]?.rollback === false) return `driver "${driver}" cannot move an instance back to an older version`;
    return undefined;
  }

  private async rollBack(): Promise<void> {
    const { store } = this.deps;
    const { toVersion } = this.rollout;
    const changes: TargetChange[] = [];
    let unsettled = 0;
    for (const [position, target] of this.rollout.targets.entries()) {
      let state = target.state;
      if (state === 'failed') {
        const why = await this.canRollBack(target);
        if (why !== undefined) {
          changes.push({ position, state: 'rollback-unsupported', message: `${target.message}; left on ${toVersion}: ${why}` });
          continue;
        }
        await this.write({ dueAt: this.next, targets: [{ position, state: 'rolling-back', message: target.message }] });
        state = 'rolling-back';
        this.rollout.targets[position] = { ...target, state };
        this.claimed.changedAt[position] = this.now;
      }
      if (state !== 'rolling-back') continue;
      const instance = await this.instance(target.instanceId);
      if (instance !== undefined && !instance.deletionRequested && instance.productVersion === toVersion) {
        await store.moveInstanceVersion(instance.id, { from: toVersion, to: target.fromVersion, actor: this.actor, kind: 'instance.rolled-back', rollout: this.rollout.id });
        unsettled++;
        continue;
      }
      const health = await this.health(position, target, target.fromVersion);
      if (health.kind === 'healthy') changes.push({ position, state: 'rolled-back', message: target.message });
      else if (health.kind === 'failed') changes.push({ position, state: 'rollback-failed', message: `${target.message}; the rollback failed too: ${health.message}` });
      else unsettled++;
    }
    if (unsettled > 0) return this.write({ dueAt: this.next, targets: changes });
    return this.write({
      state: 'Halted', dueAt: null, targets: changes,
      events: [await this.ownerEvent('rollout.halted', { to: toVersion, message: this.rollout.message })],
    });
  }
}

/**
 * The rollout half of the worker: claims a due rollout (a lease, like an instance), runs one
 * step, lets it go; looks again every `tickMs`. A killed process's lease lapses and the next
 * worker resumes the rollout from the store.
 */
export function createRolloutLoop(deps: RolloutDeps) {
  let running = false;
  let loop: Promise<void> | undefined;
  let sleeping = new AbortController();

  async function runOnce(): Promise<boolean> {
    const claimed = await deps.store.claimDueRollout({ owner: deps.workerId, leaseMs: deps.leaseMs });
    if (claimed === undefined) return false;
    try {
      await new RolloutStep(deps, claimed).run();
    } catch (error) {
      // A simulated crash leaves everything as a dead process would: the lease lapses by itself.
      if (error instanceof SimulatedCrash) throw error;
      if (!(error instanceof RolloutLeaseLost)) {
        deps.logger.error({ rollout: claimed.rollout.id, err: error instanceof Error ? error.message : String(error) }, 'a rollout step failed; retrying');
      }
    }
    await deps.store.releaseRolloutLease(claimed.rollout.id, claimed.leaseToken).catch(() => undefined);
    return true;
  }

  async function claimLoop(): Promise<void> {
    while (running) {
      let worked = false;
      try {
        worked = await runOnce();
      } catch (error) {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'claiming due rollouts failed; retrying');
      }
      if (!worked && running) await deps.clock.sleep(deps.tickMs, sleeping.signal);
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      sleeping = new AbortController();
      loop = claimLoop();
    },
    async stop(): Promise<void> {
      running = false;
      sleeping.abort();
      await loop;
    },
    runOnce,
  };
}
