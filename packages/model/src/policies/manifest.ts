import { isObject } from '../manifest-parse.js';
import { isValidName as isName } from '../names.js';
import { isSemver } from '../semver.js';
import type { FieldIssue } from '../errors.js';

/** What a policy does when one of its validations is false for a request. */
export type PolicyAction = 'deny' | 'warn' | 'requireApproval';
export const POLICY_ACTIONS: readonly PolicyAction[] = ['deny', 'warn', 'requireApproval'];

/** The requests a policy looks at; `create` and `update` of an instance today. */
export type PolicyOperation = 'create' | 'update';
export const POLICY_OPERATIONS: readonly PolicyOperation[] = ['create', 'update'];

/** One rule: a CEL expression that must be true, and what to tell the requester when it is not. */
export interface PolicyValidation {
  expression: string;
  /** Says what would pass ("plan large is for prod only; choose plan small"). */
  message: string;
}

/**
 * A guardrail as data (docs/policies.md): which requests it matches, the CEL rules each must
 * meet, and what happens when one does not. Versioned like a product; the highest version of a
 * policy is the one in force.
 */
export interface PolicyManifest {
  apiVersion: 'paved.dev/v1alpha1';
  kind: 'Policy';
  metadata: { name: string; owner: string; title?: string };
  spec: {
    version: string;
    description?: string;
    /** Empty or absent lists match everything. */
    match?: { products?: string[]; plans?: string[]; environments?: string[]; operations?: PolicyOperation[] };
    validations: PolicyValidation[];
    /** Default deny. */
    action?: PolicyAction;
    /**
     * requireApproval: who decides. `policyOwner` (default): the policy's owner team;
     * `productOwner`: the owner team of the product asked for; or a team's name.
     */
    approvers?: string;
  };
}

export const APPROVER_KEYWORDS = ['policyOwner', 'productOwner'] as const;

/** The most validations one policy may hold, and the longest expression: evaluation stays cheap. */
export const MAX_VALIDATIONS = 20;
export const MAX_EXPRESSION_LENGTH = 2000;
const MAX_MESSAGE_LENGTH = 500;

export function isPolicyDocument(value: unknown): boolean {
  return isObject(value) && value.kind === 'Policy';
}

/** Every problem of the policy's shape (not its CEL: see compilePolicy), as dotted paths. */
export function policyShapeIssues(value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  if (!isObject(value)) return [{ path: '(document)', message: 'must be an object' }];
  if (value.apiVersion !== 'paved.dev/v1alpha1') issue('apiVersion', 'must be "paved.dev/v1alpha1"');
  if (value.kind !== 'Policy') issue('kind', 'must be "Policy"');
  const metadata = value.metadata;
  if (!isObject(metadata)) issue('metadata', 'must be an object with name and owner');
  else {
    if (!isName(metadata.name)) issue('metadata.name', 'must be a name: lowercase letters, digits and "-", starting with a letter, at most 40');
    if (!isName(metadata.owner)) issue('metadata.owner', 'must be the name of the platform team that owns the policy');
    if (metadata.title !== undefined && (typeof metadata.title !== 'string' || metadata.title.length > 200)) issue('metadata.title', 'must be a string of at most 200 characters');
    unknownKeys(metadata, ['name', 'owner', 'title'], 'metadata', issue);
  }
  const spec = value.spec;
  if (!isObject(spec)) {
    issue('spec', 'must be an object with version and validations');
    return issues;
  }
  if (!isSemver(spec.version)) issue('spec.version', 'must be a semantic version such as 1.0.0');
  if (spec.description !== undefined && (typeof spec.description !== 'string' || spec.description.length > 2000)) issue('spec.description', 'must be a string of at most 2000 characters');
  if (spec.action !== undefined && !POLICY_ACTIONS.includes(spec.action as PolicyAction)) issue('spec.action', `must be one of ${POLICY_ACTIONS.join(', ')}`);
  matchIssues(spec.match, issue);
  if (spec.approvers !== undefined) {
    if (!(APPROVER_KEYWORDS as readonly unknown[]).includes(spec.approvers) && !isName(spec.approvers)) issue('spec.approvers', 'must be policyOwner, productOwner or the name of a team');
    else if (spec.action !== 'requireApproval') issue('spec.approvers', 'is only for action requireApproval');
  }
  if (!Array.isArray(spec.validations) || spec.validations.length === 0 || spec.validations.length > MAX_VALIDATIONS) {
    issue('spec.validations', `must be a list of 1 to ${MAX_VALIDATIONS} rules, each {expression, message}`);
  } else {
    spec.validations.forEach((validation: unknown, index: number) => {
      const path = `spec.validations[${index}]`;
      if (!isObject(validation)) return issue(path, 'must be an object {expression, message}');
      if (typeof validation.expression !== 'string' || validation.expression.trim() === '' || validation.expression.length > MAX_EXPRESSION_LENGTH) {
        issue(`${path}.expression`, `must be a CEL expression of at most ${MAX_EXPRESSION_LENGTH} characters`);
      }
      if (typeof validation.message !== 'string' || validation.message.trim() === '' || validation.message.length > MAX_MESSAGE_LENGTH) {
        issue(`${path}.message`, `must say what would pass, in at most ${MAX_MESSAGE_LENGTH} characters`);
      }
      unknownKeys(validation, ['expression', 'message'], path, issue);
    });
  }
  unknownKeys(spec, ['version', 'description', 'match', 'validations', 'action', 'approvers'], 'spec', issue);
  unknownKeys(value, ['apiVersion', 'kind', 'metadata', 'spec'], '', issue);
  return issues;
}

function matchIssues(match: unknown, issue: (path: string, message: string) => void): void {
  if (match === undefined) return;
  if (!isObject(match)) return issue('spec.match', 'must be an object of lists: products, plans, environments, operations');
  for (const key of ['products', 'plans', 'environments'] as const) {
    const list = match[key];
    if (list !== undefined && (!Array.isArray(list) || list.length > 100 || !list.every(isName))) issue(`spec.match.${key}`, 'must be a list of names');
  }
  const operations = match.operations;
  if (operations !== undefined && (!Array.isArray(operations) || !operations.every((o) => POLICY_OPERATIONS.includes(o as PolicyOperation)))) {
    issue('spec.match.operations', `must be a list of ${POLICY_OPERATIONS.join(', ')}`);
  }
  unknownKeys(match, ['products', 'plans', 'environments', 'operations'], 'spec.match', issue);
}

function unknownKeys(object: Record<string, unknown>, known: readonly string[], path: string, issue: (path: string, message: string) => void): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) issue(path ? `${path}.${key}` : key, `is not a field of a Policy (known: ${known.join(', ')})`);
  }
}
