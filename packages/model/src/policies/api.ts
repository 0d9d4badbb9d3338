import type { PolicyDecision } from './evaluate.js';
import type { PolicyAction, PolicyManifest } from './manifest.js';

/** A policy as listed: its version in force (the highest applied) and the versions before it. */
export interface PolicySummary {
  name: string;
  owner: string;
  title?: string;
  description?: string;
  version: string;
  action: PolicyAction;
  versions: string[];
  appliedBy: string;
  appliedAt: string;
}

export interface PolicyDetail extends PolicySummary {
  manifest: PolicyManifest;
}

export interface ApplyPolicyResult {
  policy: { name: string; version: string };
  result: 'created' | 'unchanged';
}

/** A request held by a requireApproval policy. */
export interface Approval {
  id: string;
  team: string;
  instance: string;
  instanceId: string;
  /** The team whose owners and members may decide. */
  approvers: string;
  decisions: PolicyDecision[];
  requestedBy: string;
  requestedAt: string;
  state: 'Waiting' | 'Approved' | 'Denied';
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

/** What a dry run of a create or change shows before anything is written. */
export interface RequestPreview {
  /** allowed: it would go ahead; denied: a policy or a quota refuses it; awaitingApproval: it would wait for approval. */
  outcome: 'allowed' | 'denied' | 'awaitingApproval';
  request: { name: string; product: string; version: string; plan: string; environment?: string };
  decisions: PolicyDecision[];
  quotas: QuotaCheck[];
}

/** One quota the request counts against, parts of composites included. */
export interface QuotaCheck {
  product: string;
  plan: string;
  used: number;
  adding: number;
  max: number;
  passed: boolean;
}

/** One line of an instance's history (`paved history`). */
export interface HistoryEntry {
  at: string;
  /** The event kind: instance.requested, instance.updated, instance.approved, instance.ready… */
  event: string;
  /** Who asked or decided; absent for the engine's own results. */
  actor?: string;
  /** cli, api, portal or score: the door a request came through. */
  interface?: string;
  /** The product version the request was for. */
  version?: string;
  plan?: string;
  /** What each policy decided about the request. */
  policies?: PolicyDecision[];
  /** Approval events: the approving team, the reason given for an approval or a denial. */
  approvers?: string;
  reason?: string;
  /** A reconcile's outcome in one line (ready, failed with why, drift). */
  outcome?: string;
}

export interface InstanceHistory {
  team: string;
  instance: string;
  product: string;
  entries: HistoryEntry[];
}
