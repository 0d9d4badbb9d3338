import { readdirSync, readFileSync } from 'node:fs';
import { CONDITION_REASONS } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { hasCondition, mergeConditions, nextStatus, readyCondition, sameStatus, syncedCondition, deletingCondition } from './conditions.js';

const t0 = '2025-01-01T00:00:00.000Z';
const t1 = '2025-01-01T00:01:00.000Z';

describe('conditions', () => {
  it('keeps lastTransitionAt while the status stays, moves it when the status flips', () => {
    const first = mergeConditions([], [readyCondition('False', 'Creating', 'creating')], t0);
    const sameStatus = mergeConditions(first, [readyCondition('False', 'RetryingAfterError', 'retrying')], t1);
    expect(sameStatus[0]).toMatchObject({ reason: 'RetryingAfterError', lastTransitionAt: t0 });
    const flipped = mergeConditions(sameStatus, [readyCondition('True', 'Available', 'ok')], t1);
    expect(flipped[0]).toMatchObject({ status: 'True', lastTransitionAt: t1 });
  });

  it('orders conditions Ready, Synced, Deleting whatever the input order', () => {
    const merged = mergeConditions(undefined, [deletingCondition('True', 'DeletionInProgress', 'd'), syncedCondition('True', 'ReconcileSuccess', 's'), readyCondition('False', 'Deleting', 'r')], t0);
    expect(merged.map((c) => c.type)).toEqual(['Ready', 'Synced', 'Deleting']);
  });

  it('drops conditions that are no longer given', () => {
    const merged = mergeConditions([{ type: 'Deleting', status: 'True', reason: 'DeletionInProgress', message: 'x', lastTransitionAt: t0 }], [readyCondition('True', 'Available', 'ok')], t1);
    expect(merged.map((c) => c.type)).toEqual(['Ready']);
  });

  it('sets readyAt on the first Ready and keeps it afterwards', () => {
    const ready = nextStatus({ phase: 'Provisioning', conditions: [] }, { phase: 'Ready', conditions: [readyCondition('True', 'Available', 'ok')] }, t0);
    expect(ready.readyAt).toBe(t0);
    const failed = nextStatus(ready, { phase: 'Failed', conditions: [readyCondition('False', 'ProvisioningFailed', 'no')], lastError: 'boom' }, t1);
    expect(failed).toMatchObject({ readyAt: t0, lastError: 'boom', phase: 'Failed' });
    expect(nextStatus({ phase: 'Pending', conditions: [] }, { phase: 'Provisioning', conditions: [] }, t0).readyAt).toBeUndefined();
  });

  it('is byte-identical when nothing changed, so the store can skip the write', () => {
    const spec = { phase: 'Ready' as const, conditions: [readyCondition('True', 'Available', 'ok'), syncedCondition('True', 'ReconcileSuccess', 's')] };
    const once = nextStatus({ phase: 'Provisioning', conditions: [] }, spec, t0);
    const twice = nextStatus(once, spec, t1);
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
    expect(sameStatus(once, twice)).toBe(true);
  });

  it('tells statuses apart by phase, reason, message or error', () => {
    const a = nextStatus(undefined, { phase: 'Provisioning', conditions: [readyCondition('False', 'Creating', 'm')] }, t0);
    expect(sameStatus(a, nextStatus(undefined, { phase: 'Provisioning', conditions: [readyCondition('False', 'Updating', 'm')] }, t1))).toBe(false);
    expect(sameStatus(a, nextStatus(undefined, { phase: 'Provisioning', conditions: [readyCondition('False', 'Creating', 'other')] }, t1))).toBe(false);
    expect(sameStatus(a, nextStatus(undefined, { phase: 'Provisioning', conditions: [readyCondition('False', 'Creating', 'm')], lastError: 'e' }, t1))).toBe(false);
    expect(sameStatus(undefined, a)).toBe(false);
    expect(hasCondition(a.conditions, { type: 'Ready', status: 'False', reason: 'Creating' })).toBe(true);
    expect(hasCondition(a.conditions, { type: 'Synced', status: 'False', reason: 'Creating' })).toBe(false);
  });
});

describe('the closed list of reasons (CONDITION_REASONS)', () => {
  it('holds no reason the engine never writes', () => {
    const src = new URL('./', import.meta.url);
    const production = readdirSync(src).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('test-'));
    const source = production.map((file) => readFileSync(new URL(file, src), 'utf8')).join('\n');
    expect(Object.keys(CONDITION_REASONS).filter((reason) => !source.includes(`'${reason}'`))).toEqual([]);
  });
});
