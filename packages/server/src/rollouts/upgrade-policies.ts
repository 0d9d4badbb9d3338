import type { Instance, PolicyDecision, ProductVersion, RequestInterface } from '@paved/model';
import type { Store } from '@paved/store';
import { PolicyGate } from '../policies/gate.js';

/** What the policies in force say about moving one instance to another version. */
export interface UpgradeJudgement {
  decisions: PolicyDecision[];
  /** The failed deny (and requireApproval) policies: each one refuses the move. */
  denied: PolicyDecision[];
}

/**
 * Judges moving `instance` to `to` (a version of its product) as the policies judge an update
 * (docs/policies.md): same operation, team, plan, inputs, environment and service, on the new
 * version. As for any change, approvals hold new requests only, so a failed requireApproval
 * policy refuses the move like a deny. No quota is claimed: the plan does not change.
 */
export async function judgeUpgrade(
  deps: { store: Store; gate: PolicyGate },
  instance: Instance, to: ProductVersion, user: string, via: RequestInterface,
): Promise<UpgradeJudgement> {
  const { store, gate } = deps;
  const team = await store.getTeam({ id: instance.teamId });
  // The instance's team is gone only when the instance is too: nothing to judge.
  if (team === undefined) return { decisions: [], denied: [] };
  const environment = instance.environment === undefined ? undefined : await store.getEnvironment(instance.environment);
  const judged = await gate.judge({
    operation: 'update', team, name: instance.name, product: to, plan: instance.plan, inputs: instance.inputs,
    ...(environment ? { environment } : {}), ...(instance.workload ? { service: instance.workload.service } : {}),
    interface: via, user, quotas: [],
  });
  return { decisions: judged.decisions, denied: [...judged.denied, ...judged.approvals] };
}

/** One line naming the policies that refuse a move, with what would pass. */
export function refusalText(denied: readonly PolicyDecision[]): string {
  return `refused by ${denied.map((d) => `policy ${d.policy}${d.message ? ` (${d.message})` : ''}`).join(', ')}`;
}

/**
 * The rollout worker's check of one instance when its wave starts (the engine cannot reach the
 * server's gate; the composition root hands it this): why the policies refuse the move, or
 * undefined when they let it through. A rollout acts for whoever started it, through the API.
 */
export function rolloutPolicyCheck(store: Store, gate = new PolicyGate(store)) {
  return async (instance: Instance, to: ProductVersion, actor: string): Promise<string | undefined> => {
    const { denied } = await judgeUpgrade({ store, gate }, instance, to, actor, 'api');
    return denied.length === 0 ? undefined : refusalText(denied);
  };
}
