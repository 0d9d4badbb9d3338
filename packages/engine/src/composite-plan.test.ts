import type { IncludeSpec, Instance, Phase, ProductVersion } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { includesToResolve, planComposite, type PartSpec } from './composite-plan.js';
import type { CompositeStep, ReconcilePlan } from './plan.js';
import { kvManifest } from './test-harness.js';

/** planComposite as a pure function: parts in, the steps of the next pass out. */

const kv: ProductVersion = { name: 'kv', version: '1.0.0', manifest: kvManifest(), digest: 'd', publishedAt: '2025-01-01T00:00:00.000Z' };
const first: IncludeSpec = { name: 'first', product: 'kv' };
const second: IncludeSpec = { name: 'second', product: 'kv', dependsOn: ['first'], inputs: { size: 2 } };
const includes = [first, second];

/** Part `name` of the composite "pair", in `phase`, at its include's spec. */
function part(name: string, phase: Phase, overrides: Partial<Instance> = {}): Instance {
  return {
    id: `id-${name}`, teamId: 't', teamName: 'team', name: `pair-${name}`, product: 'kv', productVersion: '1.0.0', plan: 'small',
    inputs: name === 'second' ? { size: 2 } : { size: 1 }, externalName: `pv_${name}`, target: 'mem-1', generation: 1,
    observedGeneration: phase === 'Ready' ? 1 : 0, deletionRequested: false, status: { phase, conditions: [] }, outputs: {},
    createdBy: 'u', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', credentials: { rotation: 0, rotating: false },
    parent: { id: 'parent', name: 'pair', part: name }, ...overrides,
  } as Instance;
}

/** What each include wants: the kv product at plan small with its inputs (defaults applied). */
function specsFor(wanted: readonly IncludeSpec[], plan = 'small'): Map<string, PartSpec> {
  return new Map(wanted.map((include) => [include.name, { product: kv, plan, inputs: { size: 1, ...include.inputs } }]));
}

function summary(plan: ReconcilePlan<CompositeStep>): string[] {
  return plan.steps.map((step) => (step.kind === 'forget' || step.kind === 'none' ? step.kind : `${step.kind} ${step.part}`));
}

const cases: Array<{ name: string; parts: Instance[]; deleting?: boolean; specs?: Map<string, PartSpec>; reason: ReconcilePlan['reason']; steps: string[] }> = [
  { name: 'creates the first part; the second waits for it', parts: [], reason: 'NotCreated', steps: ['create-part first'] },
  { name: 'creates the second part once the first is Ready', parts: [part('first', 'Ready')], reason: 'NotCreated', steps: ['create-part second'] },
  { name: 'waits while a part provisions', parts: [part('first', 'Provisioning')], reason: 'WaitingForParts', steps: ['none'] },
  { name: 'says a part failed, and does nothing the part does not do itself', parts: [part('first', 'Failed')], reason: 'PartFailed', steps: ['none'] },
  { name: 'does nothing when every part is Ready and matches', parts: [part('first', 'Ready'), part('second', 'Ready')], reason: 'UpToDate', steps: ['none'] },
  { name: 'brings a part in line with its include', parts: [part('first', 'Ready'), part('second', 'Ready')], specs: specsFor(includes, 'large'), reason: 'SpecChanged', steps: ['update-part first', 'update-part second'] },
  {
    name: 'deletes a part the product no longer includes',
    parts: [part('first', 'Ready'), part('second', 'Ready'), part('legacy', 'Ready')],
    reason: 'SpecChanged',
    steps: ['delete-part legacy'],
  },
  // Deletion: reverse dependency order
  { name: 'deletes the dependent part first', parts: [part('first', 'Ready'), part('second', 'Ready')], deleting: true, reason: 'DeletionRequested', steps: ['delete-part second'] },
  { name: 'waits while the dependent part goes', parts: [part('first', 'Ready'), part('second', 'Deleting', { deletionRequested: true })], deleting: true, reason: 'DeletionRequested', steps: ['none'] },
  { name: 'deletes the last part once nothing depends on it', parts: [part('first', 'Ready')], deleting: true, reason: 'DeletionRequested', steps: ['delete-part first'] },
  { name: 'forgets the instance once every part is gone', parts: [], deleting: true, reason: 'DeletionRequested', steps: ['forget'] },
];

describe('planComposite', () => {
  it.each(cases)('$name', ({ parts, deleting = false, specs, reason, steps }) => {
    const plan = planComposite({ deletionRequested: deleting, includes, parts, specs: specs ?? specsFor(deleting ? [] : includesToResolve(includes, parts)) });
    expect({ reason: plan.reason, steps: summary(plan) }).toEqual({ reason, steps });
    expect(plan.drifted).toBe(false);
    for (const step of plan.steps) expect(step.message, step.kind).not.toBe('');
  });

  it('carries what to create and what changes, and says it in words', () => {
    const create = planComposite({ deletionRequested: false, includes, parts: [], specs: specsFor([first]) }).steps[0];
    expect(create).toMatchObject({ kind: 'create-part', part: 'first', include: first, spec: { plan: 'small', inputs: { size: 1 } } });
    expect(create!.message).toBe('Create part "first": kv@1.0.0, plan small.');
    const update = planComposite({ deletionRequested: false, includes, parts: [part('first', 'Ready')], specs: specsFor(includes, 'large') }).steps[0];
    expect(update).toMatchObject({ kind: 'update-part', instanceId: 'id-first', change: { plan: 'large' } });
    expect(update!.message).toBe('Update part "first" (pair-first): plan small → large.');
  });

  it('needs the spec of every include it acts on', () => {
    expect(() => planComposite({ deletionRequested: false, includes, parts: [], specs: new Map() })).toThrow(/spec of part "first"/);
  });
});

describe('includesToResolve', () => {
  it('is the includes with a live part, and those that can be created now', () => {
    expect(includesToResolve(includes, []).map((include) => include.name)).toEqual(['first']);
    expect(includesToResolve(includes, [part('first', 'Provisioning')]).map((include) => include.name)).toEqual(['first']);
    expect(includesToResolve(includes, [part('first', 'Ready')]).map((include) => include.name)).toEqual(['first', 'second']);
    expect(includesToResolve(includes, [part('first', 'Ready', { deletionRequested: true })]).map((include) => include.name)).toEqual([]);
  });
});
