import type { ProductVersion } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { planInputFor, planInstance, type PlanSources } from './plan-sources.js';
import { planReconcile, type DriverStep, type PlanInput, type ReconcilePlan } from './plan.js';
import { kvManifest } from './test-harness.js';

/** planReconcile as a pure function: every case is an input and the steps it plans, in order. */

const NOW = Date.parse('2025-01-01T12:00:00.000Z');
const HOUR = 3_600_000;

/** A Ready instance at generation 1 whose resource matches, with nothing owed. */
const ready: PlanInput = {
  instance: { generation: 1, observedGeneration: 1, deletionRequested: false, checksPassed: true },
  engine: { pendingAction: null, deletionStep: null, rotation: 0, desiredRotation: 0, revokeRotation: null, revokeAt: null },
  product: { drift: 'repair', checks: [], gracePeriodMs: HOUR },
  driver: { deletion: ['revoke-token', 'drop'], rotates: true },
  observation: { exists: true, upToDate: true, diff: [] },
  hasCredentials: true,
  now: NOW,
};

interface Overrides {
  instance?: Partial<PlanInput['instance']>;
  engine?: Partial<PlanInput['engine']>;
  product?: Partial<PlanInput['product']>;
  driver?: Partial<PlanInput['driver']>;
  /** null: no observation (as for a deletion). */
  observation?: PlanInput['observation'] | null;
  hasCredentials?: boolean;
}

/** `ready` with the given fields replaced. */
function input(overrides: Overrides): PlanInput {
  const { observation, ...rest } = overrides;
  const merged: PlanInput = {
    ...ready,
    instance: { ...ready.instance, ...rest.instance },
    engine: { ...ready.engine, ...rest.engine },
    product: { ...ready.product, ...rest.product },
    driver: { ...ready.driver, ...rest.driver },
    hasCredentials: rest.hasCredentials ?? ready.hasCredentials,
  };
  if (observation === null) delete merged.observation;
  else if (observation !== undefined) merged.observation = observation;
  return merged;
}

const missing = { exists: false, upToDate: false, diff: [] };
const differs = { exists: true, upToDate: false, diff: ['value "size" is 1, wants 2'] };
const created = { generation: 1, observedGeneration: 0 };

/** A step in a few words: its kind and what it acts on. */
function summary(step: DriverStep): string {
  switch (step.kind) {
    case 'rotate':
      return `rotate ${step.rotation}`;
    case 'revoke':
      return `revoke ${step.previousRotation}${step.early ? ' early' : ''}`;
    case 'run-checks':
      return `run-checks ${step.checks.join(',')}`;
    case 'delete-step':
      return `delete-step ${step.name}`;
    case 'report-drift':
      return `report-drift ${step.resourceExists ? 'differs' : 'missing'}`;
    default:
      return step.kind;
  }
}

const cases: Array<{ name: string; input: PlanInput; reason: ReconcilePlan['reason']; steps: string[]; drifted?: boolean }> = [
  // The resource itself
  { name: 'creates what was never created', input: input({ instance: created, observation: missing, hasCredentials: false }), reason: 'NotCreated', steps: ['create'] },
  {
    name: 'runs the contract checks with the new credentials after a create',
    input: input({ instance: created, observation: missing, product: { checks: ['connect', 'isolation'] } }),
    reason: 'NotCreated',
    steps: ['create', 'run-checks connect,isolation'],
  },
  { name: 'creates again when a create was interrupted before it took effect', input: input({ instance: created, engine: { pendingAction: 'create' }, observation: missing }), reason: 'NotCreated', steps: ['create'] },
  { name: 'finishes an interrupted create with an update when the resource exists', input: input({ instance: created, engine: { pendingAction: 'create' } }), reason: 'ResumingInterruptedCall', steps: ['update'] },
  { name: 'finishes an interrupted update at the current generation, even in report mode', input: input({ engine: { pendingAction: 'update' }, product: { drift: 'report' }, observation: differs }), reason: 'ResumingInterruptedCall', steps: ['update'] },
  { name: 'updates when the spec is ahead of what was applied', input: input({ instance: { generation: 2 } }), reason: 'SpecChanged', steps: ['update'] },
  { name: 'applies a spec change to a drifted resource in report mode', input: input({ instance: { generation: 2 }, product: { drift: 'report' }, observation: differs }), reason: 'SpecChanged', steps: ['update'] },
  { name: 'creates for a spec change when the resource is gone, whatever the drift mode', input: input({ instance: { generation: 2 }, product: { drift: 'report' }, observation: missing }), reason: 'NotCreated', steps: ['create'] },
  { name: 're-issues credentials lost after the driver call', input: input({ hasCredentials: false }), reason: 'CredentialsMissing', steps: ['update'] },
  { name: 'does nothing when everything matches', input: ready, reason: 'UpToDate', steps: ['none'] },

  // Drift
  { name: 're-creates a resource that vanished behind a Ready instance', input: input({ observation: missing }), reason: 'ResourceMissing', steps: ['create'], drifted: true },
  { name: 'reports a vanished resource in report mode', input: input({ observation: missing, product: { drift: 'report' } }), reason: 'ResourceMissing', steps: ['report-drift missing'], drifted: true },
  { name: 'repairs a resource that differs', input: input({ observation: differs }), reason: 'Drifted', steps: ['update'], drifted: true },
  { name: 'reports a resource that differs in report mode', input: input({ observation: differs, product: { drift: 'report' } }), reason: 'Drifted', steps: ['report-drift differs'], drifted: true },

  // Credentials
  { name: 'issues a requested credential', input: input({ engine: { desiredRotation: 1 } }), reason: 'RotationRequested', steps: ['rotate 1'] },
  {
    name: 'checks a new credential before it counts',
    input: input({ engine: { desiredRotation: 1 }, product: { checks: ['connect'] } }),
    reason: 'RotationRequested',
    steps: ['rotate 1', 'run-checks connect'],
  },
  {
    name: 'revokes a credential still in its grace period before issuing another: never more than two',
    input: input({ engine: { rotation: 1, desiredRotation: 2, revokeRotation: 0, revokeAt: NOW + HOUR } }),
    reason: 'RotationRequested',
    steps: ['revoke 0 early', 'rotate 2'],
  },
  { name: 'resumes an interrupted rotation by rotating again, not by an update', input: input({ engine: { pendingAction: 'rotate', desiredRotation: 1 } }), reason: 'RotationRequested', steps: ['rotate 1'] },
  { name: 'drops a rotation the driver cannot do', input: input({ engine: { desiredRotation: 1 }, driver: { rotates: false } }), reason: 'RotationUnsupported', steps: ['drop-rotation'] },
  { name: 'applies a change first; the rotation waits for the next pass', input: input({ instance: { generation: 2 }, engine: { desiredRotation: 1 } }), reason: 'SpecChanged', steps: ['update'] },
  { name: 'keeps the previous credential until its grace period is over', input: input({ engine: { rotation: 1, desiredRotation: 1, revokeRotation: 0, revokeAt: NOW + 1 } }), reason: 'UpToDate', steps: ['none'] },
  { name: 'revokes the previous credential when its grace period is over', input: input({ engine: { rotation: 1, desiredRotation: 1, revokeRotation: 0, revokeAt: NOW } }), reason: 'RevocationDue', steps: ['revoke 0'] },
  {
    name: 'revokes, then re-runs checks that did not pass',
    input: input({ engine: { rotation: 1, desiredRotation: 1, revokeRotation: 0, revokeAt: NOW }, instance: { checksPassed: false }, product: { checks: ['connect'] } }),
    reason: 'RevocationDue',
    steps: ['revoke 0', 'run-checks connect'],
  },

  // Contract checks
  { name: 're-runs checks that did not pass', input: input({ instance: { checksPassed: false }, product: { checks: ['connect', 'write-read'] } }), reason: 'ChecksNotPassed', steps: ['run-checks connect,write-read'] },
  { name: 'runs no check on a plain drift pass once they passed', input: input({ product: { checks: ['connect'] } }), reason: 'UpToDate', steps: ['none'] },
  { name: 'owes no check when the product declares none', input: input({ instance: { checksPassed: false } }), reason: 'UpToDate', steps: ['none'] },

  // Deletion
  {
    name: 'deletes with every step of the ladder, then forgets, without observing',
    input: input({ instance: { deletionRequested: true, generation: 2 }, observation: null, engine: { desiredRotation: 1 } }),
    reason: 'DeletionRequested',
    steps: ['delete-step revoke-token', 'delete-step drop', 'forget'],
  },
  {
    name: 'resumes a deletion at the recorded step',
    input: input({ instance: { deletionRequested: true }, observation: null, engine: { deletionStep: 'drop' } }),
    reason: 'DeletionRequested',
    steps: ['delete-step drop', 'forget'],
  },
  {
    name: 'starts a deletion over when the recorded step is no longer the driver\'s',
    input: input({ instance: { deletionRequested: true }, observation: null, engine: { deletionStep: 'drop-v1' } }),
    reason: 'DeletionRequested',
    steps: ['delete-step revoke-token', 'delete-step drop', 'forget'],
  },
  { name: 'forgets at once when the driver has no deletion step', input: input({ instance: { deletionRequested: true }, observation: null, driver: { deletion: [] } }), reason: 'DeletionRequested', steps: ['forget'] },
];

describe('planReconcile', () => {
  it.each(cases)('$name', ({ input: given, reason, steps, drifted = false }) => {
    const plan = planReconcile(given);
    expect({ reason: plan.reason, steps: plan.steps.map(summary), drifted: plan.drifted }).toEqual({ reason, steps, drifted });
    expect(plan.message).not.toBe('');
    for (const step of plan.steps) expect(step.message, step.kind).not.toBe('');
  });

  it('names the difference, or says the driver gave none', () => {
    expect(planReconcile(input({ observation: differs })).message).toContain('value "size" is 1, wants 2');
    expect(planReconcile(input({ observation: { ...differs, diff: [] }, product: { drift: 'report' } })).message).toContain('without details');
  });

  it('says what report mode means and what to do', () => {
    expect(planReconcile(input({ observation: missing, product: { drift: 'report' } })).message).toContain("drift mode is 'report'");
  });

  it('says which call was interrupted, and which deletion step runs again', () => {
    expect(planReconcile(input({ instance: created, engine: { pendingAction: 'create' } })).message).toContain('create was interrupted');
    const deletion = planReconcile(input({ instance: { deletionRequested: true }, observation: null, engine: { deletionStep: 'drop' } }));
    expect(deletion.message).toContain('stopped at step "drop"');
    expect(deletion.steps[0]!.message).toContain('again');
  });

  it('carries the grace period into the rotate step and says how long the old credential works', () => {
    const [rotate] = planReconcile(input({ engine: { desiredRotation: 1 }, product: { gracePeriodMs: 30 * 60_000 } })).steps;
    expect(rotate).toMatchObject({ kind: 'rotate', rotation: 1, gracePeriodMs: 30 * 60_000 });
    expect(rotate!.message).toBe('Issue credential 1; credential 0 keeps working for 30m more.');
  });

  it('needs an observation unless deleting', () => {
    expect(() => planReconcile(input({ observation: null }))).toThrow(/observation/);
  });

  it('is deterministic and leaves its input alone', () => {
    const given = input({ observation: differs, product: { checks: ['connect'] } });
    const copy = structuredClone(given);
    expect(planReconcile(given)).toEqual(planReconcile(copy));
    expect(given).toEqual(copy);
  });
});

describe('planInstance (what a preview calls)', () => {
  const product: ProductVersion = {
    name: 'kv', version: '1.0.0', digest: 'd', publishedAt: '2025-01-01T00:00:00.000Z',
    manifest: kvManifest({ checks: ['connect'], plans: { small: { default: true, values: {}, rotation: { gracePeriod: '5m' } } } }),
  };
  const instance: PlanSources['instance'] = {
    generation: 3,
    observedGeneration: 3,
    deletionRequested: false,
    plan: 'small',
    status: { phase: 'Ready', conditions: [{ type: 'ContractChecks', status: 'True', reason: 'ChecksPassed', message: 'ok', lastTransitionAt: '2025-01-01T00:00:00.000Z' }] },
    credentials: { rotation: 2, rotating: true, previousRevokeAt: '2025-01-01T13:00:00.000Z' },
  };
  const driver = { deletion: [{ name: 'drop', run: async () => {} }], rotate: async () => ({ outputs: {} }), revoke: async () => {} };
  const sources = { instance, product, driver, observation: { exists: true, upToDate: true, diff: [] }, hasCredentials: true, now: NOW };

  it('reads the plan input from the instance, its product version and its driver', () => {
    expect(planInputFor(sources)).toEqual({
      instance: { generation: 3, observedGeneration: 3, deletionRequested: false, checksPassed: true },
      // Without the engine's record, as instance.credentials shows it.
      engine: { pendingAction: null, deletionStep: null, rotation: 2, desiredRotation: 3, revokeRotation: 1, revokeAt: Date.parse('2025-01-01T13:00:00.000Z') },
      product: { drift: 'repair', checks: ['connect'], gracePeriodMs: 5 * 60_000 },
      driver: { deletion: ['drop'], rotates: true },
      observation: { exists: true, upToDate: true, diff: [] },
      hasCredentials: true,
      now: NOW,
    });
  });

  it('plans what the engine would: here a rotation during a grace period', () => {
    expect(planInstance(sources).steps.map(summary)).toEqual(['revoke 1 early', 'rotate 3', 'run-checks connect']);
  });

  it('prefers the engine record when the caller has it, and knows a driver that cannot rotate', () => {
    const engine = { pendingAction: null, deletionStep: null, rotation: 2, desiredRotation: 3, revokeRotation: null, revokeAt: null };
    const plan = planInstance({ ...sources, engine, driver: { deletion: [] } });
    expect(plan.steps.map(summary)).toEqual(['drop-rotation']);
  });
});
