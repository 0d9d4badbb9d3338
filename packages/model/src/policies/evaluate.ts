import { InputError, type FieldIssue } from '../errors.js';
import { celInput, compileExpression, type CelInput, type CompiledExpression } from './cel.js';
import type { PolicyInput } from './context.js';
import { policyShapeIssues, type PolicyAction, type PolicyManifest } from './manifest.js';

/** A policy ready to evaluate: its manifest and each validation's compiled expression. */
export interface CompiledPolicy {
  manifest: PolicyManifest;
  action: PolicyAction;
  rules: { expression: string; message: string; evaluate: CompiledExpression }[];
}

/**
 * What one policy decided about one request. `passed` false with action deny refuses the
 * request; warn lets it through with the message; requireApproval holds it for approval.
 * `skipped`: the policy's match did not cover the request. An expression that fails at run
 * time (a missing input key) counts as not passed: a guardrail that cannot decide refuses.
 */
export interface PolicyDecision {
  policy: string;
  version: string;
  action: PolicyAction;
  result: 'passed' | 'failed' | 'skipped';
  /** For a failed policy: the first failing rule's message, which says what would pass. */
  message?: string;
}

/** Checks shape and CEL (parse and types) of a policy; InputError with every problem otherwise. */
export function compilePolicy(value: unknown): CompiledPolicy {
  const issues = policyShapeIssues(value);
  if (issues.length > 0) throw policyInvalid(issues);
  const manifest = value as PolicyManifest;
  const rules: CompiledPolicy['rules'] = [];
  const celIssues: FieldIssue[] = [];
  manifest.spec.validations.forEach((validation, index) => {
    const result = compileExpression(validation.expression, `spec.validations[${index}].expression`);
    if ('issue' in result) celIssues.push(result.issue);
    else rules.push({ expression: validation.expression, message: validation.message, evaluate: result.compiled });
  });
  if (celIssues.length > 0) throw policyInvalid(celIssues);
  return { manifest, action: manifest.spec.action ?? 'deny', rules };
}

function policyInvalid(issues: FieldIssue[]): InputError {
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n');
  return new InputError(`the policy is invalid:\n${lines}`, { code: 'policy_invalid', issues });
}

/** Whether the policy's match covers the request. */
export function policyMatches(policy: CompiledPolicy, input: PolicyInput): boolean {
  const match = policy.manifest.spec.match;
  if (match === undefined) return true;
  const covers = (list: readonly string[] | undefined, value: string) => list === undefined || list.length === 0 || list.includes(value);
  return covers(match.products, input.request.product)
    && covers(match.plans, input.request.plan)
    && covers(match.environments, input.request.environment)
    && covers(match.operations, input.request.operation);
}

/** One policy's decision; `cel` is celInput(input), built once per request and shared. */
export function evaluatePolicy(policy: CompiledPolicy, input: PolicyInput, cel: CelInput): PolicyDecision {
  const { name } = policy.manifest.metadata;
  const base = { policy: name, version: policy.manifest.spec.version, action: policy.action };
  if (!policyMatches(policy, input)) return { ...base, result: 'skipped' };
  for (const rule of policy.rules) {
    let outcome: unknown;
    try {
      outcome = rule.evaluate(cel);
    } catch (error) {
      const reason = (error as { summary?: string }).summary ?? 'the rule could not be evaluated';
      return { ...base, result: 'failed', message: `${rule.message} (the rule could not be evaluated for this request: ${reason})` };
    }
    if (outcome !== true) return { ...base, result: 'failed', message: rule.message };
  }
  return { ...base, result: 'passed' };
}

/** The verdict of every policy on one request, in policy name order. */
export interface PolicyVerdict {
  decisions: PolicyDecision[];
  /** Failed deny policies: the request is refused. */
  denied: PolicyDecision[];
  /** Failed requireApproval policies (when nothing denies): the request waits for approval. */
  approvals: PolicyDecision[];
  /** Failed warn policies: the request goes through with these messages. */
  warnings: PolicyDecision[];
}

export function evaluatePolicies(policies: readonly CompiledPolicy[], input: PolicyInput): PolicyVerdict {
  const cel = celInput(input);
  const decisions = policies.map((policy) => evaluatePolicy(policy, input, cel));
  const failed = (action: PolicyAction) => decisions.filter((d) => d.result === 'failed' && d.action === action);
  return { decisions, denied: failed('deny'), approvals: failed('requireApproval'), warnings: failed('warn') };
}
