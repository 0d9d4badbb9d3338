import { DriverError, InputError } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { errorChain, failureStatus, isRetryable, MAX_ATTEMPTS, missingStatus, type FailureInput } from './failure.js';
import type { StatusSubject } from './status.js';

const subject: StatusSubject = { product: 'postgres', productVersion: '1.0.0', target: 'pg-main', externalName: 'pv_team_db_1234abcd', generation: 1 };
const now = '2025-01-01T00:00:00.000Z';
const provisioning = { phase: 'Provisioning' as const, conditions: [] };

function input(overrides: Partial<FailureInput>): FailureInput {
  return { stage: 'create', error: new DriverError('connection refused'), attempts: 1, deleting: false, wasReady: false, support: '#data-platform', ...overrides };
}

describe('errorChain', () => {
  it('joins the messages of an error and its causes on one line', () => {
    const error = new DriverError('create database failed', { cause: new Error('connect ECONNREFUSED\n127.0.0.1:5432') });
    expect(errorChain(error)).toBe('create database failed: connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('drops a cause that only repeats its wrapper', () => {
    expect(errorChain(new Error('timeout after 5s', { cause: new Error('timeout after 5s') }))).toBe('timeout after 5s');
  });

  it('caps the length and copes with non-errors', () => {
    expect(errorChain(new Error('x'.repeat(5000))).length).toBe(1000);
    expect(errorChain('plain string')).toBe('plain string');
  });
});

describe('failureStatus', () => {
  it('keeps a retryable failure in Provisioning and says Paved retries', () => {
    const { status, final } = failureStatus(provisioning, input({}), subject, now);
    expect(final).toBe(false);
    expect(status.phase).toBe('Provisioning');
    const ready = status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'RetryingAfterError' });
    expect(ready.message).toBe(`Creating "pv_team_db_1234abcd" on target "pg-main" failed: connection refused. Paved retries automatically (attempt 1 of ${MAX_ATTEMPTS}).`);
    expect(status.lastError).toBe('connection refused');
  });

  it('fails for good on a non-retryable driver error, naming where to ask', () => {
    const { status, final } = failureStatus(provisioning, input({ error: new DriverError('permission denied to create role', { retryable: false }) }), subject, now);
    expect(final).toBe(true);
    expect(status.phase).toBe('Failed');
    const ready = status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.reason).toBe('ProvisioningFailed');
    expect(ready.message).toContain('permission denied to create role');
    expect(ready.message).toContain('#data-platform');
  });

  it('gives the driver\'s own remedy, instead of "paved reconcile", for a failure retrying cannot fix', () => {
    const error = new DriverError('dns resources come from a Score file', { retryable: false, remedy: 'delete it (paved delete x) and name the resource in a score.yaml.' });
    const ready = failureStatus(provisioning, input({ error }), subject, now).status.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.message).toBe('Creating "pv_team_db_1234abcd" on target "pg-main" failed: dns resources come from a Score file. Retrying will not help: delete it (paved delete x) and name the resource in a score.yaml; ask #data-platform if unsure.');
    const generic = failureStatus(provisioning, input({ error: new DriverError('permission denied', { retryable: false }) }), subject, now).status;
    expect(generic.conditions[0]!.message).toContain('Retrying will not help: fix the cause, then run "paved reconcile"; ask #data-platform if unsure.');
  });

  it(`fails after ${MAX_ATTEMPTS} attempts`, () => {
    expect(failureStatus(provisioning, input({ attempts: MAX_ATTEMPTS - 1 }), subject, now).final).toBe(false);
    const { status, final } = failureStatus(provisioning, input({ attempts: MAX_ATTEMPTS }), subject, now);
    expect(final).toBe(true);
    expect(status.conditions[0]!.message).toContain(`Gave up after ${MAX_ATTEMPTS} attempts`);
  });

  it('names the deletion step and keeps the Deleting condition', () => {
    const { status } = failureStatus({ phase: 'Deleting', conditions: [] }, input({ stage: 'delete', step: 'drop-role', deleting: true }), subject, now);
    expect(status.phase).toBe('Deleting');
    expect(status.conditions.map((c) => c.type)).toEqual(['Ready', 'Synced', 'Deleting']);
    expect(status.conditions[0]!.message).toContain('(step "drop-role")');
    const final = failureStatus({ phase: 'Deleting', conditions: [] }, input({ stage: 'delete', deleting: true, attempts: MAX_ATTEMPTS }), subject, now);
    expect(final.status.conditions[0]!.reason).toBe('DeletionFailed');
  });

  it('leaves a Ready instance Ready when only its periodic check failed', () => {
    const { status, final } = failureStatus({ phase: 'Ready', conditions: [] }, input({ stage: 'observe', wasReady: true, attempts: 9 }), subject, now);
    expect(final).toBe(false);
    expect(status.phase).toBe('Ready');
    expect(status.conditions.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'ObserveFailed' });
  });

  it('produces the same status for the same failure (no timestamps in messages)', () => {
    const a = failureStatus(provisioning, input({}), subject, now).status;
    const b = failureStatus(provisioning, input({}), subject, '2030-01-01T00:00:00.000Z').status;
    expect(a.conditions.map((c) => c.message)).toEqual(b.conditions.map((c) => c.message));
  });

  it('treats invalid stored inputs as not retryable, and unknown errors as retryable', () => {
    expect(isRetryable(new InputError('inputs are invalid'))).toBe(false);
    expect(isRetryable(new TypeError('x is undefined'))).toBe(true);
    expect(isRetryable(new DriverError('blip'))).toBe(true);
  });
});

describe('missingStatus', () => {
  it('is Failed with the reason on Ready and Synced', () => {
    const status = missingStatus(provisioning, 'TargetNotFound', 'Target "x" is not configured', false, now);
    expect(status.phase).toBe('Failed');
    expect(status.conditions.map((c) => [c.type, c.reason])).toEqual([['Ready', 'TargetNotFound'], ['Synced', 'TargetNotFound']]);
  });
});
