import type { ApplyPolicyResult, Approval, InstanceHistory, PolicyDetail, PolicySummary, RequestPreview } from '@paved/model';
import type { CreateInstanceRequest, UpdateInstanceRequest } from '@paved/model';
import type { Transport } from './transport.js';

const seg = encodeURIComponent;

/** Policies, approvals, dry runs and instance history (docs/policies.md). */
export interface PoliciesClient {
  listPolicies(): Promise<{ items: PolicySummary[] }>;
  getPolicy(name: string): Promise<PolicyDetail>;
  applyPolicy(manifest: unknown): Promise<ApplyPolicyResult>;
  /** What createInstance would do: every policy decision and quota; nothing is created. */
  previewCreateInstance(team: string, request: Omit<CreateInstanceRequest, 'dryRun'>): Promise<RequestPreview>;
  previewUpdateInstance(team: string, name: string, request: Omit<UpdateInstanceRequest, 'dryRun'>): Promise<RequestPreview>;
  listApprovals(query?: { state?: Approval['state'] }): Promise<{ items: Approval[] }>;
  approve(id: string, reason?: string): Promise<Approval>;
  deny(id: string, reason: string): Promise<Approval>;
  instanceHistory(team: string, name: string): Promise<InstanceHistory>;
}

export function policiesClient(http: Transport): PoliciesClient {
  const instancesPath = (team: string) => `/api/v1/teams/${seg(team)}/instances`;
  return {
    listPolicies: () => http.json('GET', '/api/v1/policies'),
    getPolicy: (name) => http.json('GET', `/api/v1/policies/${seg(name)}`),
    applyPolicy: (manifest) => http.json('POST', '/api/v1/policies', { body: manifest }),
    previewCreateInstance: (team, request) => http.json('POST', instancesPath(team), { body: { ...request, dryRun: true } }),
    previewUpdateInstance: (team, name, request) => http.json('PATCH', `${instancesPath(team)}/${seg(name)}`, { body: { ...request, dryRun: true } }),
    listApprovals: (q = {}) => http.json('GET', '/api/v1/approvals', { query: { state: q.state } }),
    approve: (id, reason) => http.json('POST', `/api/v1/approvals/${seg(id)}/approve`, { body: reason ? { reason } : {} }),
    deny: (id, reason) => http.json('POST', `/api/v1/approvals/${seg(id)}/deny`, { body: { reason } }),
    instanceHistory: (team, name) => http.json('GET', `${instancesPath(team)}/${seg(name)}/history`),
  };
}
