import type { PolicyOperation } from './manifest.js';

/** Through which door a request came: recorded with it, and seen by policies. */
export type RequestInterface = 'cli' | 'api' | 'portal' | 'score';

/**
 * Everything a policy sees, and nothing else (docs/policies.md#what-a-policy-sees): plain data
 * built per request, no function reaches the store or the network. Counts are the team's
 * instances (composite parts included) before this request.
 */
export interface PolicyInput {
  request: {
    operation: PolicyOperation;
    name: string;
    product: string;
    version: string;
    plan: string;
    inputs: Record<string, unknown>;
    /** "" when the request names no environment. */
    environment: string;
    /** The workload's service; "" for a request outside a workload. */
    service: string;
    interface: RequestInterface;
    /** The user asking. */
    user: string;
  };
  team: { name: string; title: string; platform: boolean };
  product: { name: string; version: string; owner: string; lifecycle: string; driver: string; tags: string[] };
  plan: { name: string; values: Record<string, unknown> };
  /** name "" when the request names no environment. */
  environment: { name: string; targetSelector: Record<string, string> };
  usage: {
    /** Every instance of the team. */
    team: number;
    /** The team's instances of this product. */
    product: number;
    /** ... of this product on this plan. */
    plan: number;
    /** ... of this product in this environment (0 without an environment). */
    environment: number;
    /** The team's instances in this environment, any product. */
    inEnvironment: number;
  };
}
