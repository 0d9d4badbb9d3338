import {
  ConflictError, InputError, NotFoundError, ROLLOUT_DEFAULTS, assignWaves, compareSemver, parseSemver, validateInputs,
  type Instance, type InstanceHold, type Page, type PageRequest, type ProductVersion, type Rollout, type RolloutTargetState,
  type RequestInterface, type StartRolloutRequest, type Team, type UpgradePreview, type UpgradeRequest, type UpgradeResult,
} from '@paved/model';
import type { Store } from '@paved/store';
import { findTeam, type Principal } from '../access/principal.js';
import { assertNotPart } from '../instances/composition-parts.js';
import { instanceNotFound } from '../instances/service.js';
import { productNotFound } from '../products/service.js';
import { PolicyGate, policyDenied } from '../policies/gate.js';
import { upgradeChanges } from './preview.js';
import { judgeUpgrade, refusalText } from './upgrade-policies.js';

/** Moving instances to newer versions of their products: one at a time, or a product's fleet in waves (docs/rollouts.md). */
export interface RolloutService {
  /** Previews the move of one instance and, unless `dryRun`, makes it: the engine runs the driver's update and the contract checks. */
  /** `via`: the interface the request came through (requestInterfaceOf), for the policies; 'api' when not given. */
  upgrade(principal: Principal, team: string, name: string, request: UpgradeRequest, via?: RequestInterface): Promise<UpgradeResult>;
  hold(principal: Principal, team: string, name: string, reason: string): Promise<InstanceHold>;
  /** Lifts a hold; lifting none is fine. */
  unhold(principal: Principal, team: string, name: string): Promise<void>;
  start(principal: Principal, product: string, request: StartRolloutRequest): Promise<Rollout>;
  /** The product's newest rollout. */
  status(principal: Principal, product: string): Promise<Rollout>;
  list(principal: Principal, page: PageRequest): Promise<Page<Rollout>>;
  pause(principal: Principal, product: string): Promise<Rollout>;
  resume(principal: Principal, product: string): Promise<Rollout>;
}

export function rolloutNotFound(product: string): NotFoundError {
  return new NotFoundError(`${product} has no rollout; start one with: paved rollout ${product} --to VERSION`, {
    code: 'rollout_not_found', issues: [{ path: 'product', message: 'no rollout' }],
  });
}

/** The newest version that is not a pre-release (what "latest" means for an upgrade). */
export function latestRelease(versions: readonly ProductVersion[]): ProductVersion | undefined {
  let best: ProductVersion | undefined;
  for (const version of versions) {
    if ((parseSemver(version.version)?.prerelease.length ?? 1) > 0) continue;
    if (best === undefined || compareSemver(version.version, best.version) > 0) best = version;
  }
  return best;
}

export class DefaultRolloutService implements RolloutService {
  constructor(private readonly store: Store, private readonly gate = new PolicyGate(store)) {}

  async upgrade(principal: Principal, teamName: string, name: string, request: UpgradeRequest, via: RequestInterface = 'api'): Promise<UpgradeResult> {
    const { instance } = await this.find(teamName, name);
    assertNotPart(instance, 'changed');
    if (instance.deletionRequested) {
      throw new ConflictError(`${teamName}/${name} is being deleted and can no longer change`, { code: 'instance_deleting' });
    }
    const [from, to] = await Promise.all([this.version(instance.product, instance.productVersion), this.target(instance.product, request.to)]);
    if (compareSemver(to.version, from.version) < 0 && request.allowDowngrade !== true) {
      throw new ConflictError(`${to.version} is older than ${from.version}, which ${name} runs; to go back anyway: paved upgrade ${name} --to ${to.version} --allow-downgrade`, {
        code: 'downgrade_refused', issues: [{ path: 'to', message: `older than ${from.version}` }],
      });
    }
    const preview: UpgradePreview = {
      team: teamName, instance: name, product: instance.product, from: from.version, to: to.version, plan: instance.plan,
      changes: upgradeChanges(from.manifest, to.manifest, instance.plan),
    };
    const blocked = blockedBy(instance, to);
    if (blocked !== undefined) preview.blocked = blocked;
    if (from.version === to.version) return { preview, upgraded: false };
    // The policies judge the move as they judge an update (docs/policies.md); a dry run shows their decisions.
    const judged = await judgeUpgrade({ store: this.store, gate: this.gate }, instance, to, principal.user.name, via);
    if (judged.decisions.length > 0) preview.decisions = judged.decisions;
    if (judged.denied.length > 0) preview.blocked ??= refusalText(judged.denied);
    if (request.dryRun === true) return { preview, upgraded: false };
    if (blocked !== undefined) {
      throw new ConflictError(`${name} cannot move to ${to.version}: ${blocked}`, { code: 'upgrade_blocked', issues: [{ path: 'to', message: blocked }] });
    }
    if (judged.denied.length > 0) throw policyDenied(judged.denied);
    const moved = await this.store.moveInstanceVersion(instance.id, { from: from.version, to: to.version, actor: principal.user.name, kind: 'instance.upgraded' });
    if (moved === 'moved') throw new ConflictError(`${name} changed version while this upgrade was prepared; look again with: paved upgrade ${name} --dry-run`, { code: 'instance_changed' });
    if (moved === 'deleting' || moved === 'gone') throw new ConflictError(`${teamName}/${name} is being deleted and can no longer change`, { code: 'instance_deleting' });
    return { preview, upgraded: true };
  }

  async hold(principal: Principal, teamName: string, name: string, reason: string): Promise<InstanceHold> {
    const { instance } = await this.find(teamName, name);
    assertNotPart(instance, 'changed');
    return this.store.holdInstance(instance.id, reason, principal.user.name);
  }

  async unhold(principal: Principal, teamName: string, name: string): Promise<void> {
    const { instance } = await this.find(teamName, name);
    await this.store.unholdInstance(instance.id, principal.user.name);
  }

  async start(principal: Principal, product: string, request: StartRolloutRequest): Promise<Rollout> {
    const owner = await this.store.getProductOwner(product);
    if (owner === undefined) throw productNotFound(product);
    const to = await this.version(product, request.to, 'to');
    const settings = {
      canaryPercent: request.canaryPercent ?? ROLLOUT_DEFAULTS.canaryPercent,
      batchGrowth: request.batchGrowth ?? ROLLOUT_DEFAULTS.batchGrowth,
      soakMs: request.soakSeconds === undefined ? ROLLOUT_DEFAULTS.soakMs : request.soakSeconds * 1000,
      readyTimeoutMs: request.readyTimeoutSeconds === undefined ? ROLLOUT_DEFAULTS.readyTimeoutMs : request.readyTimeoutSeconds * 1000,
    };
    // Every top-level instance on an older version, oldest request first; a composite's parts move with it.
    const older: Instance[] = [];
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await this.store.listInstances({ product, topLevel: true, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      older.push(...page.items.filter((i) => !i.deletionRequested && compareSemver(i.productVersion, to.version) < 0));
      cursor = page.nextCursor;
    }
    if (older.length === 0) {
      throw new ConflictError(`No instance of ${product} runs a version older than ${to.version}: nothing to roll out`, {
        code: 'rollout_nothing_to_do', issues: [{ path: 'to', message: 'every instance is on it or newer' }],
      });
    }
    // Held instances are reported, never upgraded, and take no place in a wave.
    const holds = await Promise.all(older.map((i) => this.store.getHold(i.id)));
    const moving = older.filter((_, n) => holds[n] === undefined);
    const waves = assignWaves(moving.length, settings.canaryPercent, settings.batchGrowth);
    let next = 0;
    const targets = older.map((instance, n) => {
      const hold = holds[n];
      const base = { instanceId: instance.id, team: instance.teamName, instance: instance.name, fromVersion: instance.productVersion };
      if (hold !== undefined) return { ...base, wave: 0, state: 'held' as RolloutTargetState, message: `held by ${hold.heldBy}: ${hold.reason}` };
      return { ...base, wave: waves[next++]!, state: 'pending' as RolloutTargetState, message: '' };
    });
    const ownerTeam = await this.store.getTeam({ name: owner });
    return this.store.createRollout({
      product, toVersion: to.version, settings, createdBy: principal.user.name, ownerTeamId: ownerTeam?.id ?? '',
      targets, waves: Math.max(1, new Set(waves).size),
    });
  }

  async status(_principal: Principal, product: string): Promise<Rollout> {
    const rollout = await this.store.latestRollout(product);
    if (rollout === undefined) {
      if ((await this.store.getProductOwner(product)) === undefined) throw productNotFound(product);
      throw rolloutNotFound(product);
    }
    return rollout;
  }

  list(_principal: Principal, page: PageRequest): Promise<Page<Rollout>> {
    return this.store.listRollouts(page);
  }

  pause(principal: Principal, product: string): Promise<Rollout> {
    return this.setPaused(principal, product, true);
  }

  resume(principal: Principal, product: string): Promise<Rollout> {
    return this.setPaused(principal, product, false);
  }

  private async setPaused(principal: Principal, product: string, paused: boolean): Promise<Rollout> {
    const rollout = await this.status(principal, product);
    const outcome = await this.store.setRolloutPaused(rollout.id, paused, principal.user.name);
    if (outcome === 'final') {
      throw new ConflictError(`The rollout of ${product} to ${rollout.toVersion} is ${rollout.state}: nothing to ${paused ? 'pause' : 'resume'}; start another with: paved rollout ${product} --to VERSION`, {
        code: 'rollout_finished', issues: [{ path: 'product', message: `rollout is ${rollout.state}` }],
      });
    }
    if (outcome === 'rolling-back') {
      throw new ConflictError(`The rollout of ${product} is rolling back its failed instances and cannot be ${paused ? 'paused' : 'resumed'}; follow it with: paved rollout status ${product}`, {
        code: 'rollout_rolling_back', issues: [{ path: 'product', message: 'rolling back' }],
      });
    }
    return (await this.store.getRollout(rollout.id))!;
  }

  private async find(teamName: string, name: string): Promise<{ team: Team; instance: Instance }> {
    const team = await findTeam(this.store, teamName);
    const instance = await this.store.getInstanceByName(team.id, name);
    if (!instance) throw instanceNotFound(teamName, name);
    return { team, instance };
  }

  /** `to`, or the latest release when absent. */
  private async target(product: string, to: string | undefined): Promise<ProductVersion> {
    if (to !== undefined) return this.version(product, to, 'to');
    const latest = latestRelease(await this.store.listProductVersions(product));
    if (latest === undefined) {
      throw new ConflictError(`${product} has only pre-release versions; name one with --to`, { code: 'no_release', issues: [{ path: 'to', message: 'no release to default to' }] });
    }
    return latest;
  }

  private async version(product: string, version: string, path = 'version'): Promise<ProductVersion> {
    if (parseSemver(version) === undefined) {
      throw new InputError(`${version} is not a version (MAJOR.MINOR.PATCH)`, { code: 'invalid_input', issues: [{ path, message: 'must be a semantic version' }] });
    }
    const found = await this.store.getProductVersion(product, version);
    if (found !== undefined) return found;
    if ((await this.store.getProductOwner(product)) === undefined) throw productNotFound(product);
    throw new NotFoundError(`${product} has no version ${version}; see its versions with: paved products show ${product}`, {
      code: 'version_not_found', issues: [{ path, message: 'no such version' }],
    });
  }
}

/** Why the instance cannot move to `to` as it is (its plan or inputs), or undefined. */
function blockedBy(instance: Instance, to: ProductVersion): string | undefined {
  if (to.manifest.spec.plans[instance.plan] === undefined) return `plan ${instance.plan} does not exist in ${to.version}`;
  try {
    validateInputs(to.manifest, instance.inputs);
  } catch (error) {
    return `its inputs do not fit ${to.version}: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}
