import { describe, expect, it } from 'vitest';
import { planReconcile, type PlanInput } from './plan.js';

const base: PlanInput = { generation: 1, observedGeneration: 0, pendingAction: null, hasCredentials: false, drift: 'repair', phase: 'Pending' };
const missing = { exists: false, upToDate: false, diff: [] };
const upToDate = { exists: true, upToDate: true, diff: [] };
const differs = { exists: true, upToDate: false, diff: ['value "size" is 1, wants 2'] };
const ready: PlanInput = { ...base, observedGeneration: 1, hasCredentials: true, phase: 'Ready' };

describe('planReconcile', () => {
  it('creates what was never created', () => {
    expect(planReconcile(base, missing)).toMatchObject({ action: 'create', reason: 'NotCreated', drifted: false });
  });

  it('creates again when a create was interrupted before it took effect', () => {
    expect(planReconcile({ ...base, pendingAction: 'create', phase: 'Provisioning' }, missing)).toMatchObject({ action: 'create', drifted: false });
  });

  it('finishes an interrupted create with an update when the resource already exists', () => {
    const plan = planReconcile({ ...base, pendingAction: 'create', phase: 'Provisioning' }, upToDate);
    expect(plan).toMatchObject({ action: 'update', reason: 'ResumingInterruptedCall' });
    expect(plan.message).toContain('create was interrupted');
  });

  it('creates a resource that vanished behind a Ready instance, as a drift repair', () => {
    expect(planReconcile(ready, missing)).toMatchObject({ action: 'create', reason: 'ResourceMissing', drifted: true });
  });

  it('reports a vanished resource in report mode instead of re-creating it', () => {
    const plan = planReconcile({ ...ready, drift: 'report' }, missing);
    expect(plan).toMatchObject({ action: 'report-drift', reason: 'ResourceMissing', drifted: true });
    expect(plan.message).toContain("drift mode is 'report'");
  });

  it('keeps reporting a vanished resource once the instance is Failed for it', () => {
    expect(planReconcile({ ...ready, drift: 'report', phase: 'Failed' }, missing).action).toBe('report-drift');
  });

  it('applies a spec change to a vanished resource by creating it, whatever the drift mode', () => {
    expect(planReconcile({ ...ready, generation: 2, drift: 'report' }, missing)).toMatchObject({ action: 'create', drifted: false });
  });

  it('updates when the spec is ahead of what was applied', () => {
    expect(planReconcile({ ...ready, generation: 2 }, upToDate)).toMatchObject({ action: 'update', reason: 'SpecChanged', drifted: false });
    expect(planReconcile({ ...ready, generation: 2, drift: 'report' }, differs).action).toBe('update');
  });

  it('finishes an interrupted update at the current generation', () => {
    const plan = planReconcile({ ...ready, pendingAction: 'update', drift: 'report' }, differs);
    expect(plan).toMatchObject({ action: 'update', reason: 'ResumingInterruptedCall' });
    expect(plan.message).toContain('update was interrupted');
  });

  it('repairs drift in repair mode and names the difference', () => {
    const plan = planReconcile(ready, differs);
    expect(plan).toMatchObject({ action: 'update', reason: 'Drifted', drifted: true });
    expect(plan.message).toContain('value "size" is 1, wants 2');
  });

  it('reports drift in report mode', () => {
    expect(planReconcile({ ...ready, drift: 'report' }, differs)).toMatchObject({ action: 'report-drift', reason: 'Drifted', drifted: true });
  });

  it('says something useful when the driver gives no diff', () => {
    expect(planReconcile({ ...ready, drift: 'report' }, { exists: true, upToDate: false, diff: [] }).message).toContain('without details');
  });

  it('re-issues credentials lost after the driver call', () => {
    expect(planReconcile({ ...ready, hasCredentials: false }, upToDate)).toMatchObject({ action: 'update', reason: 'CredentialsMissing', drifted: false });
  });

  it('does nothing when everything matches', () => {
    expect(planReconcile(ready, upToDate)).toMatchObject({ action: 'none', reason: 'UpToDate', drifted: false });
    expect(planReconcile({ ...ready, phase: 'Failed' }, upToDate).action).toBe('none');
  });

  it('is deterministic', () => {
    expect(planReconcile(ready, differs)).toEqual(planReconcile({ ...ready }, { ...differs, diff: [...differs.diff] }));
  });
});
