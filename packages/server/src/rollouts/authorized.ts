import {
  NotAllowedError, haltMessageFor, isPavedError,
  type InstanceHold, type Page, type PageRequest, type RequestInterface, type Rollout, type RolloutTarget, type StartRolloutRequest, type UpgradeRequest, type UpgradeResult,
} from '@paved/model';
import type { Store } from '@paved/store';
import { actsForPlatformTeam, can, findTeam, teamFor, type Principal } from '../access/principal.js';
import { instanceNotFound } from '../instances/service.js';
import { productNotFound } from '../products/service.js';
import type { RolloutService } from './service.js';

/**
 * Who may do what: a team's members and owners upgrade and hold its instances (viewers may
 * not; outsiders are told the instance does not exist). The product's owner, a member of its
 * owning platform team, or a platform admin starts, pauses and resumes its rollouts. Everyone
 * signed in reads rollouts, and sees in them only the instances of teams they may read.
 */
export class AuthorizedRolloutService implements RolloutService {
  constructor(private readonly inner: RolloutService, private readonly store: Store) {}

  async upgrade(principal: Principal, team: string, name: string, request: UpgradeRequest, via?: RequestInterface): Promise<UpgradeResult> {
    await this.instanceAccess(principal, team, name);
    return this.inner.upgrade(principal, team, name, request, via);
  }

  async hold(principal: Principal, team: string, name: string, reason: string): Promise<InstanceHold> {
    await this.instanceAccess(principal, team, name);
    return this.inner.hold(principal, team, name, reason);
  }

  async unhold(principal: Principal, team: string, name: string): Promise<void> {
    await this.instanceAccess(principal, team, name);
    return this.inner.unhold(principal, team, name);
  }

  async start(principal: Principal, product: string, request: StartRolloutRequest): Promise<Rollout> {
    await this.requireOwner(principal, product, 'start a rollout of');
    return this.inner.start(principal, product, request);
  }

  async pause(principal: Principal, product: string): Promise<Rollout> {
    await this.requireOwner(principal, product, 'pause the rollout of');
    return this.inner.pause(principal, product);
  }

  async resume(principal: Principal, product: string): Promise<Rollout> {
    await this.requireOwner(principal, product, 'resume the rollout of');
    return this.inner.resume(principal, product);
  }

  async status(principal: Principal, product: string): Promise<Rollout> {
    return this.visible(principal, await this.inner.status(principal, product));
  }

  async list(principal: Principal, page: PageRequest): Promise<Page<Rollout>> {
    const found = await this.inner.list(principal, page);
    return { ...found, items: await Promise.all(found.items.map((rollout) => this.visible(principal, rollout))) };
  }

  /** The rollout with only the instances the caller may see (all of them for its owner and admins). */
  private async visible(principal: Principal, rollout: Rollout): Promise<Rollout> {
    if (await this.isOwner(principal, rollout.product, 'read')) return rollout;
    const teams = new Map<string, boolean>();
    const targets: RolloutTarget[] = [];
    const hidden: RolloutTarget[] = [];
    for (const target of rollout.targets) {
      if (!teams.has(target.team)) {
        const team = await this.store.getTeam({ name: target.team });
        teams.set(target.team, team !== undefined && can(principal, team.id, 'read'));
      }
      (teams.get(target.team) ? targets : hidden).push(target);
    }
    return { ...rollout, targets, message: haltMessageFor(rollout.message, hidden) };
  }

  private async isOwner(principal: Principal, product: string, access: 'read' | 'write'): Promise<boolean> {
    const ownerName = await this.store.getProductOwner(product);
    if (ownerName === undefined) throw productNotFound(product);
    const owner = await this.store.getTeam({ name: ownerName });
    return owner !== undefined && actsForPlatformTeam(principal, owner, access);
  }

  private async requireOwner(principal: Principal, product: string, what: string): Promise<void> {
    if (await this.isOwner(principal, product, 'write')) return;
    const ownerName = await this.store.getProductOwner(product);
    throw new NotAllowedError(`Only the owner team of ${product} ("${ownerName}") and platform admins may ${what} ${product}`, {
      code: 'not_platform_team', issues: [{ path: 'product', message: `owned by team "${ownerName}"` }],
    });
  }

  /** As for changing an instance: outsiders get "not found", insiders with too small a role 403. */
  private async instanceAccess(principal: Principal, team: string, name: string): Promise<void> {
    try {
      await teamFor(this.store, principal, team, 'write');
    } catch (error) {
      if (error instanceof NotAllowedError && error.code === 'not_team_member') throw instanceNotFound(team, name);
      if (isPavedError(error) && error.code === 'role_insufficient') {
        const found = await this.store.getInstanceByName((await findTeam(this.store, team)).id, name);
        if (found === undefined) throw instanceNotFound(team, name);
      }
      throw error;
    }
  }
}
