import {
  APPROVER_KEYWORDS, InputError, NotFoundError, compareSemverTotal, compilePolicy,
  type ApplyPolicyResult, type PolicyDetail, type PolicyManifest, type PolicySummary,
} from '@paved/model';
import type { Store, StoredPolicyVersion } from '@paved/store';
import type { Principal } from '../access/principal.js';
import { policyDigest } from './gate.js';

/** The policy catalog: apply a version, list the policies in force, read one. */
export interface PolicyService {
  /** Shape and CEL checked (InputError policy_invalid with line and column) before anything is stored. */
  check(input: unknown): PolicyManifest;
  apply(principal: Principal, input: unknown): Promise<ApplyPolicyResult>;
  list(principal: Principal): Promise<PolicySummary[]>;
  get(principal: Principal, name: string): Promise<PolicyDetail>;
}

export function policyNotFound(name: string): NotFoundError {
  return new NotFoundError(`There is no policy "${name}"; see them with: paved policies`, { code: 'policy_not_found', issues: [{ path: 'policy', message: 'no such policy' }] });
}

export class DefaultPolicyService implements PolicyService {
  constructor(private readonly store: Store) {}

  check(input: unknown): PolicyManifest {
    return compilePolicy(input).manifest;
  }

  async apply(principal: Principal, input: unknown): Promise<ApplyPolicyResult> {
    const manifest = this.check(input);
    const { name, owner } = manifest.metadata;
    const approvers = manifest.spec.approvers;
    if (approvers !== undefined && !(APPROVER_KEYWORDS as readonly string[]).includes(approvers) && !(await this.store.getTeam({ name: approvers }))) {
      throw new InputError(`the policy is invalid:\n  spec.approvers: there is no team "${approvers}"`, { code: 'policy_invalid', issues: [{ path: 'spec.approvers', message: `there is no team "${approvers}"` }] });
    }
    const result = await this.store.putPolicyVersion({ name, version: manifest.spec.version, owner, manifest, digest: policyDigest(manifest), appliedBy: principal.user.name });
    return { policy: { name, version: manifest.spec.version }, result };
  }

  async list(_principal: Principal): Promise<PolicySummary[]> {
    const byName = new Map<string, StoredPolicyVersion[]>();
    for (const row of await this.store.listPolicyVersions()) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
    return [...byName.values()].map((versions) => summaryOf(versions));
  }

  async get(_principal: Principal, name: string): Promise<PolicyDetail> {
    const versions = await this.store.listPolicyVersions(name);
    if (versions.length === 0) throw policyNotFound(name);
    const summary = summaryOf(versions);
    const current = versions.find((v) => v.version === summary.version)!;
    return { ...summary, manifest: current.manifest };
  }
}

function summaryOf(versions: StoredPolicyVersion[]): PolicySummary {
  const sorted = [...versions].sort((a, b) => compareSemverTotal(a.version, b.version));
  const current = sorted[sorted.length - 1]!;
  const { metadata, spec } = current.manifest;
  return {
    name: current.name,
    owner: current.owner,
    ...(metadata.title ? { title: metadata.title } : {}),
    ...(spec.description ? { description: spec.description } : {}),
    version: current.version,
    action: spec.action ?? 'deny',
    versions: sorted.map((v) => v.version),
    appliedBy: current.appliedBy,
    appliedAt: current.appliedAt,
  };
}
