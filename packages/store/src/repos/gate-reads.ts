import type { StoreContext } from '../context.js';
import type { GateReads, GateReadsRequest } from '../types.js';
import { latestVersionOn } from './products.js';
import { policyVersionsOn, usageOn } from './policies.js';

/**
 * The reads a create makes before its transaction, none needing another's answer once the
 * request names its plan: the product's latest version, the team's usage and the policy
 * versions. Each was a round trip of its own on PostgreSQL (the usage and the policies on two
 * connections at once, after the version); issued together on one connection they go out in
 * one flight, answered in order by one backend (bench/README §1 round 19).
 */
export function gateReadsRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;
  const together = adapter.readTogether ?? ((fn) => fn(db));
  return {
    readForGate: (request: GateReadsRequest): Promise<GateReads> => together(async (executor) => {
      // All three issued before any is awaited, in this order.
      const latest = request.latestVersion ? latestVersionOn(executor, request.usage.product) : undefined;
      const usage = usageOn(executor, request.usage);
      const policyVersions = policyVersionsOn(executor);
      // Each settled, whichever fails, before the connection goes back to the pool.
      await Promise.allSettled([latest, usage, policyVersions]);
      const latestVersion = await latest;
      return { ...(latestVersion === undefined ? {} : { latestVersion }), usage: await usage, usageOf: request.usage, policyVersions: await policyVersions };
    }),
  };
}
