/**
 * The closed list of an instance's condition types and of every `reason` Paved writes, each
 * with its meaning for users and, where there is one, what to do. A reason is the machine
 * contract (scripts branch on it, never on the message); `Condition.reason` is typed from this
 * list, so the engine cannot write a reason that is not here. docs/conditions.md shows the same
 * rows; conditions.test.ts keeps the two in step.
 */

/** What each condition type says when True; False or absent says the opposite, and the reason says why. */
export const CONDITION_TYPES = {
  Ready: 'The instance can be used: its resource exists on the target and its credentials are in the secret store.',
  Synced: 'The resource matches the latest spec and nothing is left to do.',
  ContractChecks: "The product's contract checks passed with the current credentials (only for products that declare checks).",
  Deleting: 'Deletion was asked for and is under way.',
} as const;

export type ConditionType = keyof typeof CONDITION_TYPES;

/**
 * Where a reason appears: on a condition of that type, or as the reason of a reconcile plan
 * ('Plan': what the engine's next pass does and why, shown by previews and carried by the
 * `instance.drifted` and `instance.repaired` events).
 */
export type ReasonSite = ConditionType | 'Plan';

export interface ReasonDoc {
  on: readonly ReasonSite[];
  /** One line for users: what this reason means. */
  meaning: string;
  /** One line for users: what to do; absent when there is nothing to do. */
  action?: string;
}

export const CONDITION_REASONS = {
  // Working
  Available: {
    on: ['Ready'],
    meaning: 'The resource exists and works; its credentials are in the secret store (Synced says whether it also matches the spec).',
  },
  ReconcileSuccess: {
    on: ['Synced'],
    meaning: 'The resource matches the current generation of the spec.',
  },
  UpToDate: {
    on: ['Plan'],
    meaning: 'The resource matches its spec and nothing is owed: the pass only records that.',
  },
  Creating: {
    on: ['Ready', 'Synced'],
    meaning: 'Paved is creating the resource on its target.',
  },
  Updating: {
    on: ['Ready', 'Synced'],
    meaning: 'Paved is applying the spec to the existing resource.',
  },
  NotCreated: {
    on: ['Plan'],
    meaning: 'The resource (or a part of a composite) does not exist yet: the pass creates it.',
  },
  SpecChanged: {
    on: ['Plan'],
    meaning: 'The spec changed since it was last applied: the pass applies it.',
  },
  ResumingInterruptedCall: {
    on: ['Plan'],
    meaning: 'A create or update was interrupted (a worker stopped mid-call): the pass finishes it, safely, since every call is idempotent.',
  },
  CredentialsMissing: {
    on: ['Plan'],
    meaning: 'The resource exists but its credentials never reached the secret store: the pass issues them again.',
  },
  WaitingForDriver: {
    on: ['Ready', 'Synced'],
    meaning: 'The work is under way outside Paved (an automation that calls back); this is not a failure and is never given up on.',
    action: 'Nothing; if it lasts, ask the owner of that automation.',
  },

  // Drift
  Drifted: {
    on: ['Synced', 'Plan'],
    meaning: "The resource was changed outside Paved and differs from its spec; with `drift: repair` Paved puts it back, with `drift: report` it leaves it and says so here.",
    action: "Under `drift: report`, undo the change on the target, or ask the product's owner for `drift: repair`.",
  },
  ResourceMissing: {
    on: ['Ready', 'Synced', 'Plan'],
    meaning: "The resource was removed from the target outside Paved; with `drift: repair` Paved re-creates it, with `drift: report` the instance is Failed.",
    action: "Under `drift: report`, re-create it on the target, or ask the product's owner for `drift: repair`; or delete the instance (`paved delete NAME`).",
  },

  // Credentials
  RotationRequested: {
    on: ['Plan'],
    meaning: 'New credentials were asked for (`paved rotate`): the pass issues them beside the current ones.',
  },
  RevocationDue: {
    on: ['Plan'],
    meaning: "The previous credentials' grace period is over: the pass revokes them.",
  },
  RotationUnsupported: {
    on: ['Synced', 'Plan'],
    meaning: "The product's driver cannot rotate credentials; the request was dropped and the current credentials stay.",
    action: "Nothing to retry; ask the product's owner if you need rotation.",
  },
  RotationFailed: {
    on: ['Synced'],
    meaning: 'Issuing new credentials failed; the current ones keep working and Paved retries automatically.',
    action: "If it persists, ask the product's support channel named in the message.",
  },
  RevocationFailed: {
    on: ['Synced'],
    meaning: 'Revoking the previous credentials failed; they may still work, and Paved retries automatically.',
    action: "If it persists, ask the product's support channel named in the message.",
  },

  // Contract checks
  ChecksPassed: {
    on: ['ContractChecks'],
    meaning: "Every contract check of the product passed with the current credentials (`paved get NAME -o json` shows each result under `status.checks`).",
  },
  CheckFailed: {
    on: ['Ready', 'ContractChecks'],
    meaning: "A contract check failed: the resource exists, but its credentials do not do what the product promises; the instance is Failed and Paved re-runs the checks with backoff.",
    action: "If it persists, ask the product's support channel named in the message.",
  },
  ChecksNotPassed: {
    on: ['Plan'],
    meaning: 'The contract checks did not pass last time (or never ran): the pass runs them again.',
  },

  // Failures
  RetryingAfterError: {
    on: ['Ready'],
    meaning: 'The last attempt failed; Paved retries automatically with backoff (the message names the attempt and the error).',
  },
  TargetUnreachable: {
    on: ['Ready', 'Synced'],
    meaning: "Paved cannot reach the instance's target (connection refused or timed out, or its name does not resolve): the request is waiting, not failed. Paved tries again at least every 10 s and carries on as soon as the target answers.",
    action: 'Nothing, unless it lasts: then ask the platform team whether the target named in the message is down.',
  },
  ReconcileError: {
    on: ['Synced'],
    meaning: 'The last pass failed before the resource matched its spec; Ready says whether Paved is still retrying or gave up.',
  },
  ObserveFailed: {
    on: ['Synced'],
    meaning: 'Paved could not look at the resource on its target (the target may be down); it was Ready at the last look, stays Ready, and Paved looks again shortly.',
    action: "If it persists, ask the product's support channel named in the message.",
  },
  ProvisioningFailed: {
    on: ['Ready'],
    meaning: 'Creating or updating failed for good (an error retrying cannot fix, or failure after failure); Paved still retries, at long intervals.',
    action: "Fix the cause the message names, then run `paved reconcile NAME`; ask the product's support channel if unsure.",
  },
  DeletionFailed: {
    on: ['Ready'],
    meaning: 'Deleting failed for good (an error retrying cannot fix, or failure after failure); Paved still retries, at long intervals.',
    action: "Fix the cause the message names, then run `paved reconcile NAME`; ask the product's support channel if unsure.",
  },
  ProductVersionNotFound: {
    on: ['Ready', 'Synced'],
    meaning: 'The product version the instance is pinned to is not published on this Paved server.',
    action: 'Publish it (`paved apply -f`), or move the instance to a published version (`paved update NAME --version`).',
  },
  DriverNotFound: {
    on: ['Ready', 'Synced'],
    meaning: "The product's driver is not loaded by this Paved server.",
    action: 'Ask the platform team to enable the driver in the server configuration.',
  },
  TargetNotFound: {
    on: ['Ready', 'Synced'],
    meaning: "The instance's target is not configured on this Paved server.",
    action: 'Ask the platform team to add the target to the server configuration.',
  },

  // Composite products
  WaitingForParts: {
    on: ['Ready', 'Synced', 'Plan'],
    meaning: 'A composite instance waits for its parts to be Ready (the message lists each part and what it waits for).',
  },
  PartFailed: {
    on: ['Ready', 'Synced', 'Plan'],
    meaning: 'A part of the composite instance failed; Paved keeps retrying the part.',
    action: 'See the part (`paved get PART`, its name is in the message) and act on what its conditions say.',
  },

  // Deletion
  DeletionRequested: {
    on: ['Plan'],
    meaning: "Deletion was asked for: the pass runs the driver's deletion steps from where they stopped (for a composite: deletes its parts), then forgets the instance.",
  },
  Deleting: {
    on: ['Ready'],
    meaning: 'The instance is being deleted; it cannot be used any more.',
  },
  DeletionInProgress: {
    on: ['Deleting'],
    meaning: 'Paved is removing the resource and its credentials, step by step; an interrupted deletion resumes from its last step.',
  },
  DeletingParts: {
    on: ['Deleting'],
    meaning: 'Paved deletes the parts of the composite instance, each only once nothing that depends on it is left.',
  },
} as const satisfies Record<string, ReasonDoc>;

export type ConditionReason = keyof typeof CONDITION_REASONS;

/** The reasons that may appear at `site`: `ReasonOf<'Ready'>`, `ReasonOf<'Plan'>`. */
export type ReasonOf<Site extends ReasonSite> = {
  [Reason in ConditionReason]: Site extends (typeof CONDITION_REASONS)[Reason]['on'][number] ? Reason : never;
}[ConditionReason];
