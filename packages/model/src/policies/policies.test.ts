import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { compilePolicy, evaluatePolicies } from './evaluate.js';
import { LARGE_ONLY_IN_PROD, NAME_STARTS_WITH_SERVICE, THREE_DATABASES_IN_DEV, examplePolicy, exampleInput } from './examples.test-support.js';

function invalid(value: unknown): InputError {
  try {
    compilePolicy(value);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('policies', () => {
  const policies = [LARGE_ONLY_IN_PROD, THREE_DATABASES_IN_DEV, NAME_STARTS_WITH_SERVICE].map(compilePolicy);

  it('plan large only in prod', () => {
    const dev = evaluatePolicies(policies, exampleInput({ request: { plan: 'large' } }));
    expect(dev.denied).toEqual([expect.objectContaining({ policy: 'large-only-in-prod', message: expect.stringContaining('choose plan small') })]);
    expect(evaluatePolicies(policies, exampleInput({ request: { plan: 'large', environment: 'prod' } })).denied).toEqual([]);
    expect(evaluatePolicies(policies, exampleInput({ request: { plan: 'small' } })).decisions[0]!.result).toBe('skipped');
  });

  it('no more than 3 databases per team in dev', () => {
    expect(evaluatePolicies(policies, exampleInput({ usage: { environment: 2 } })).denied).toEqual([]);
    expect(evaluatePolicies(policies, exampleInput({ usage: { environment: 3 } })).denied.map((d) => d.policy)).toEqual(['three-databases-in-dev']);
    // Other environments, and updates of an existing one, are not counted against it.
    expect(evaluatePolicies(policies, exampleInput({ request: { environment: 'staging' }, usage: { environment: 3 } })).denied).toEqual([]);
    expect(evaluatePolicies(policies, exampleInput({ request: { operation: 'update' }, usage: { environment: 3 } })).denied).toEqual([]);
  });

  it("names must start with the service's name", () => {
    expect(evaluatePolicies(policies, exampleInput({ request: { name: 'orders-db' } })).denied.map((d) => d.policy)).toEqual(['name-starts-with-service']);
    expect(evaluatePolicies(policies, exampleInput({ request: { name: 'anything', service: '' } })).denied).toEqual([]);
  });

  it('sees inputs and plan values with whole numbers as CEL ints', () => {
    const [sized] = [examplePolicy('small-disks', { validations: [{ expression: 'int(request.inputs.size) <= 10 && plan.values.connectionLimit == 20', message: 'size at most 10' }] })].map(compilePolicy);
    expect(evaluatePolicies([sized!], exampleInput({ request: { inputs: { size: 10 } } })).denied).toEqual([]);
    expect(evaluatePolicies([sized!], exampleInput({ request: { inputs: { size: 11 } } })).denied).toHaveLength(1);
  });

  it('refuses a request a rule cannot evaluate (a missing input), saying why', () => {
    const [needsInput] = [examplePolicy('needs-tier', { validations: [{ expression: 'request.inputs.tier == "gold"', message: 'set input tier to gold' }] })].map(compilePolicy);
    const verdict = evaluatePolicies([needsInput!], exampleInput());
    expect(verdict.denied[0]!.message).toMatch(/^set input tier to gold \(the rule could not be evaluated/);
  });

  it('warn and requireApproval policies do not deny', () => {
    const warn = compilePolicy({ ...LARGE_ONLY_IN_PROD, metadata: { name: 'warn-large', owner: 'platform' }, spec: { ...LARGE_ONLY_IN_PROD.spec, action: 'warn' } });
    const approve = compilePolicy({ ...LARGE_ONLY_IN_PROD, metadata: { name: 'approve-large', owner: 'platform' }, spec: { ...LARGE_ONLY_IN_PROD.spec, action: 'requireApproval' } });
    const verdict = evaluatePolicies([warn, approve], exampleInput({ request: { plan: 'large' } }));
    expect(verdict.denied).toEqual([]);
    expect(verdict.warnings.map((d) => d.policy)).toEqual(['warn-large']);
    expect(verdict.approvals.map((d) => d.policy)).toEqual(['approve-large']);
  });

  it('refuses a syntax error with its line and column', () => {
    const error = invalid(examplePolicy('broken', { validations: [{ expression: 'request.plan == "large" &&\n  request.environment ==', message: 'x' }] }));
    expect(error.code).toBe('policy_invalid');
    expect(error.issues).toEqual([{ path: expect.stringMatching(/^spec\.validations\[0\]\.expression:2:\d+$/), message: expect.stringMatching(/^line 2, column \d+: /) }]);
  });

  it('refuses type errors: unknown fields, mixed types, non-boolean results', () => {
    const error = invalid(examplePolicy('typed', {
      validations: [
        { expression: 'request.planz == "large"', message: 'a' },
        { expression: 'usage.product < "3"', message: 'b' },
        { expression: 'request.name', message: 'c' },
      ],
    }));
    expect(error.issues.map((i) => i.path)).toEqual(['spec.validations[0].expression:1:9', 'spec.validations[1].expression:1:1', 'spec.validations[2].expression']);
    expect(error.issues[2]!.message).toMatch(/boolean/);
  });

  it('refuses a bad shape naming each field', () => {
    const error = invalid({ apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name: 'Bad Name', owner: 'p' }, spec: { version: '1', validations: [], action: 'maybe', extra: 1 } });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['metadata.name', 'spec.action', 'spec.extra', 'spec.validations', 'spec.version']);
  });

  it('names who approves only for requireApproval policies', () => {
    const approve = { ...LARGE_ONLY_IN_PROD, spec: { ...LARGE_ONLY_IN_PROD.spec, action: 'requireApproval' as const } };
    for (const approvers of ['policyOwner', 'productOwner', 'data-platform']) expect(() => compilePolicy({ ...approve, spec: { ...approve.spec, approvers } })).not.toThrow();
    expect(invalid({ ...approve, spec: { ...approve.spec, approvers: 'Nobody!' } }).issues[0]!.path).toBe('spec.approvers');
    expect(invalid({ ...LARGE_ONLY_IN_PROD, spec: { ...LARGE_ONLY_IN_PROD.spec, approvers: 'productOwner' } }).issues[0]!.message).toMatch(/only for action requireApproval/);
  });

  it('gives expressions no function beyond CEL itself', () => {
    const error = invalid(examplePolicy('sneaky', { validations: [{ expression: 'fetch("http://x") == ""', message: 'x' }] }));
    expect(error.issues[0]!.message).toMatch(/fetch/);
  });
});
