import { createHash } from 'node:crypto';
import {
  NotAllowedError, canonicalJson, compareSemverTotal, compilePolicy, evaluatePolicies,
  type CompiledPolicy, type Environment, type PolicyDecision, type PolicyManifest, type PolicyInput, type PolicyOperation, type PolicyVerdict,
  type ProductVersion, type QuotaCheck, type RequestInterface, type Team,
} from '@paved/model';
import type { GateReads, QuotaClaim, StoredPolicyVersion, Store, UsageFilter } from '@paved/store';

/** One request as the gate judges it: what is asked, by whom, through which door. */
export interface GateRequest {
  operation: PolicyOperation;
  team: Team;
  name: string;
  product: ProductVersion;
  plan: string;
  inputs: Record<string, unknown>;
  environment?: Environment;
  service?: string;
  interface: RequestInterface;
  user: string;
  /** The quotas the request counts against (its own and its composite parts'). */
  quotas: readonly QuotaClaim[];
}

export interface GateResult extends PolicyVerdict {
  quotas: QuotaCheck[];
  /** The team whose members may approve, when a requireApproval policy holds the request: the first such policy's owner. */
  approvers?: string;
}

/**
 * Guardrails at request time (docs/policies.md): the policies in force (each one's highest
 * version) evaluated against the request, its team, product, plan, environment and the team's
 * current usage. Compiled programs are kept by digest, so a request compiles nothing unless a
 * policy changed; which versions are in force is read from the store every time (another
 * process may have applied one).
 */
export class PolicyGate {
  private readonly programs = new Map<string, CompiledPolicy>();

  constructor(private readonly store: Store) {}

  /** `versions`: every policy version, already read (Store.readForGate); absent, they are read. */
  async inForce(versions?: readonly StoredPolicyVersion[]): Promise<CompiledPolicy[]> {
    const latest = new Map<string, { version: string; digest: string; manifest: unknown }>();
    for (const row of versions ?? await this.store.listPolicyVersions()) {
      const seen = latest.get(row.name);
      if (!seen || compareSemverTotal(row.version, seen.version) > 0) latest.set(row.name, row);
    }
    const policies: CompiledPolicy[] = [];
    for (const row of latest.values()) {
      let program = this.programs.get(row.digest);
      if (!program) {
        // Stored policies compiled when applied; the same library compiles them again here.
        program = compilePolicy(row.manifest);
        if (this.programs.size >= 512) this.programs.clear();
        this.programs.set(row.digest, program);
      }
      policies.push(program);
    }
    return policies;
  }

  /**
   * `read`: the usage and policy versions read before (a create's, with its product's latest
   * version: Store.readForGate), used when they counted what this request counts; otherwise
   * both are read now.
   */
  async judge(request: GateRequest, read?: GateReads): Promise<GateResult> {
    const { store } = this;
    const counted: UsageFilter = { teamId: request.team.id, product: request.product.name, plan: request.plan, ...(request.environment ? { environment: request.environment.name } : {}) };
    // Two reads that do not wait for each other, sent together: on the PostgreSQL store each is a
    // round trip, and the create's answer waits for the gate.
    const [usage, inForce] = read !== undefined && sameUsage(read.usageOf, counted)
      ? [read.usage, await this.inForce(read.policyVersions)]
      : await Promise.all([store.instanceUsage(counted), this.inForce()]);
    const manifest = request.product.manifest;
    const input: PolicyInput = {
      request: {
        operation: request.operation, name: request.name, product: request.product.name, version: request.product.version, plan: request.plan,
        inputs: request.inputs, environment: request.environment?.name ?? '', service: request.service ?? '', interface: request.interface, user: request.user,
      },
      team: { name: request.team.name, title: request.team.title, platform: request.team.platform },
      product: {
        name: manifest.metadata.name, version: request.product.version, owner: manifest.metadata.owner, lifecycle: manifest.metadata.lifecycle ?? 'ga',
        driver: manifest.spec.driver, tags: manifest.metadata.tags ?? [],
      },
      plan: { name: request.plan, values: manifest.spec.plans[request.plan]?.values ?? {} },
      environment: { name: request.environment?.name ?? '', targetSelector: request.environment?.targetSelector ?? {} },
      usage,
    };
    const verdict = evaluatePolicies(inForce, input);
    const quotas = await Promise.all(request.quotas.map(async (claim) => {
      // The request's own product and plan were just counted for the policies (usage.plan, the
      // same count): a statement a create. A composite's parts are counted on their own.
      const used = claim.product === request.product.name && claim.plan === request.plan
        ? usage.plan
        : await store.countInstances({ teamId: request.team.id, product: claim.product, plan: claim.plan });
      return { ...claim, used, passed: used + claim.adding <= claim.max };
    }));
    const approver = verdict.denied.length === 0 ? verdict.approvals[0] : undefined;
    const held = approver ? inForce.find((p) => p.manifest.metadata.name === approver.policy)?.manifest : undefined;
    const approvers = held === undefined ? undefined : approversOf(held, manifest.metadata.owner);
    return { ...verdict, quotas, ...(approvers ? { approvers } : {}) };
  }
}

/** Whether usage `a` counted the instances `b` asks for (a read made before is used only then). */
function sameUsage(a: UsageFilter, b: UsageFilter): boolean {
  return a.teamId === b.teamId && a.product === b.product && a.plan === b.plan && a.environment === b.environment;
}

/** The team that decides a request `policy` holds: its owner, the product's owner, or a named team. */
function approversOf(policy: PolicyManifest, productOwner: string): string {
  const { approvers } = policy.spec;
  if (approvers === undefined || approvers === 'policyOwner') return policy.metadata.owner;
  return approvers === 'productOwner' ? productOwner : approvers;
}

/** The digest a policy version is stored under: same content, same digest. */
export function policyDigest(manifest: unknown): string {
  return createHash('sha256').update(canonicalJson(manifest)).digest('hex');
}

/** The refusal of a request that deny policies failed: each policy named, with what would pass. */
export function policyDenied(denied: readonly PolicyDecision[]): NotAllowedError {
  const lines = denied.map((d) => `policy ${d.policy}: ${d.message ?? 'not met'}`);
  return new NotAllowedError(`Refused by ${denied.length === 1 ? 'a policy' : `${denied.length} policies`}:\n  ${lines.join('\n  ')}`, {
    code: 'policy_denied',
    issues: denied.map((d) => ({ path: `policy.${d.policy}`, message: d.message ?? 'not met' })),
  });
}
