import type { InstanceHold, Page, Rollout, StartRolloutRequest, UpgradeRequest, UpgradeResult } from '@paved/model';
import type { Transport } from './transport.js';

const seg = encodeURIComponent;

/** Upgrades, holds and fleet rollouts (docs/rollouts.md). */
export interface RolloutsClient {
  /** Previews (dryRun) or makes the move of one instance to another version of its product. */
  upgradeInstance(team: string, name: string, request: UpgradeRequest): Promise<UpgradeResult>;
  holdInstance(team: string, name: string, reason: string): Promise<InstanceHold>;
  unholdInstance(team: string, name: string): Promise<void>;
  startRollout(product: string, request: StartRolloutRequest): Promise<Rollout>;
  getRollout(product: string): Promise<Rollout>;
  listRollouts(query?: { cursor?: string; limit?: number }): Promise<Page<Rollout>>;
  pauseRollout(product: string): Promise<Rollout>;
  resumeRollout(product: string): Promise<Rollout>;
}

export function rolloutsClient(http: Transport): RolloutsClient {
  const instancePath = (team: string, name: string) => `/api/v1/teams/${seg(team)}/instances/${seg(name)}`;
  const rolloutPath = (product: string) => `/api/v1/products/${seg(product)}/rollout`;
  return {
    upgradeInstance: (team, name, request) => http.json('POST', `${instancePath(team, name)}/upgrade`, { body: request }),
    holdInstance: (team, name, reason) => http.json('PUT', `${instancePath(team, name)}/hold`, { body: { reason } }),
    unholdInstance: async (team, name) => {
      await http.json('DELETE', `${instancePath(team, name)}/hold`);
    },
    startRollout: (product, request) => http.json('POST', `/api/v1/products/${seg(product)}/rollouts`, { body: request }),
    getRollout: (product) => http.json('GET', rolloutPath(product)),
    listRollouts: (q = {}) => http.json('GET', '/api/v1/rollouts', { query: { cursor: q.cursor, limit: q.limit } }),
    pauseRollout: (product) => http.json('POST', `${rolloutPath(product)}/pause`, { body: {} }),
    resumeRollout: (product) => http.json('POST', `${rolloutPath(product)}/resume`, { body: {} }),
  };
}
