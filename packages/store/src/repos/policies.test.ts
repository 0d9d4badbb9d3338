import { expect, it } from 'vitest';
import { ConflictError, QuotaError, type PolicyManifest } from '@paved/model';
import { eachStore } from '../testing.js';
import { newInstance, seedTeam } from '../test-fixtures.js';
import { newApprovalId } from './approvals.js';

function policy(name: string, version: string, owner = 'platform'): PolicyManifest {
  return { apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name, owner }, spec: { version, validations: [{ expression: 'true', message: 'always' }] } };
}

eachStore('store: policies, usage and approvals', (open) => {
  it('keeps every policy version, immutable, owned by the team of its first version', async () => {
    const store = await open();
    const put = (name: string, version: string, digest: string, owner?: string) =>
      store.putPolicyVersion({ name, version, owner: owner ?? 'platform', manifest: policy(name, version, owner), digest, appliedBy: 'alice' });
    expect(await put('large-in-prod', '1.0.0', 'd1')).toBe('created');
    expect(await put('large-in-prod', '1.0.0', 'd1')).toBe('unchanged');
    await expect(put('large-in-prod', '1.0.0', 'd2')).rejects.toMatchObject({ code: 'policy_version_exists' });
    expect(await put('large-in-prod', '1.1.0', 'd3')).toBe('created');
    await expect(put('large-in-prod', '2.0.0', 'd4', 'other')).rejects.toBeInstanceOf(ConflictError);
    expect(await put('another', '0.1.0', 'd5')).toBe('created');
    const versions = await store.listPolicyVersions();
    expect(versions.map((v) => `${v.name}@${v.version}`).sort()).toEqual(['another@0.1.0', 'large-in-prod@1.0.0', 'large-in-prod@1.1.0']);
    expect((await store.listPolicyVersions('another'))[0]).toMatchObject({ owner: 'platform', appliedBy: 'alice', manifest: policy('another', '0.1.0') });
  });

  it('counts usage by product, plan and environment, parts of composites included', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const other = await seedTeam(store);
    const parent = await store.createInstance(newInstance(team, 'orders', { product: 'service-db', environment: 'dev' }));
    await store.createInstance(newInstance(team, 'orders-db', { parent: { id: parent.id, part: 'db' }, plan: 'large' }));
    await store.createInstance(newInstance(team, 'a', { environment: 'dev' }));
    await store.createInstance(newInstance(team, 'b', { environment: 'prod' }));
    await store.createInstance(newInstance(other, 'c', { environment: 'dev' }));
    expect(await store.instanceUsage({ teamId: team.id, product: 'postgres', plan: 'small', environment: 'dev' })).toEqual({ team: 4, product: 3, plan: 2, environment: 1, inEnvironment: 2 });
    expect(await store.instanceUsage({ teamId: team.id, product: 'postgres', plan: 'large' })).toEqual({ team: 4, product: 3, plan: 1, environment: 0, inEnvironment: 0 });
    expect((await store.getInstanceByName(team.id, 'a'))?.environment).toBe('dev');
  });

  it('counts the parts a composite asks for against their quotas: three large databases do not pass a quota of two', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const threeLarge = { quotas: [{ product: 'postgres', plan: 'large', max: 2, adding: 3 }] };
    const error = await store.createInstance(newInstance(team, 'trio', { product: 'three-dbs', ...threeLarge })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaError);
    expect((error as QuotaError).message).toMatch(/composite parts count/);
    expect(await store.countInstances({ teamId: team.id })).toBe(0);
    // Parts already made by another composite count as well.
    const parent = await store.createInstance(newInstance(team, 'pair', { product: 'two-dbs', quotas: [{ product: 'postgres', plan: 'large', max: 2, adding: 2 }] }));
    await store.createInstance(newInstance(team, 'pair-a', { plan: 'large', parent: { id: parent.id, part: 'a' } }));
    await expect(store.createInstance(newInstance(team, 'single', { plan: 'large', quota: { max: 2 } }))).resolves.toBeDefined();
    await expect(store.createInstance(newInstance(team, 'single2', { plan: 'large', quota: { max: 2 } }))).rejects.toBeInstanceOf(QuotaError);
  });

  it('holds a request for approval out of the engine, then lets it go, or denies it with the reason', async () => {
    const store = await open();
    const team = await seedTeam(store);
    const decisions = [{ policy: 'large-needs-approval', version: '1.0.0', action: 'requireApproval' as const, result: 'failed' as const, message: 'large needs approval' }];
    const approvalA = newApprovalId();
    const held = await store.createInstance(newInstance(team, 'big', { plan: 'large', approval: { id: approvalA, approvers: 'platform', decisions } }));
    expect(held.status).toMatchObject({ phase: 'AwaitingApproval', approval: { id: approvalA, state: 'Waiting', approvers: 'platform', policies: ['large-needs-approval'] } });
    expect(await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 10 })).toEqual([]);
    expect((await store.listApprovals({ state: 'Waiting', approverTeams: ['platform'] })).map((a) => a.instance)).toEqual(['big']);
    expect(await store.listApprovals({ approverTeams: ['nobody'] })).toEqual([]);
    expect((await store.listApprovals({ teamIds: [team.id] }))[0]).toMatchObject({ team: team.name, requestedBy: 'alice', decisions });

    const approved = await store.decideApproval(approvalA, { state: 'Approved', by: 'bob' });
    expect(approved).toMatchObject({ state: 'Approved', decidedBy: 'bob' });
    expect((await store.getInstance(held.id))?.status).toMatchObject({ phase: 'Pending', approval: { state: 'Approved', decidedBy: 'bob' } });
    expect((await store.claimDue({ owner: 'w', leaseMs: 1000, limit: 10 })).map((c) => c.instance.id)).toEqual([held.id]);
    await expect(store.decideApproval(approvalA, { state: 'Denied', by: 'carol' })).rejects.toMatchObject({ code: 'approval_decided' });

    const approvalB = newApprovalId();
    const other = await store.createInstance(newInstance(team, 'big2', { plan: 'large', approval: { id: approvalB, approvers: 'platform', decisions } }));
    await store.decideApproval(approvalB, { state: 'Denied', by: 'carol', reason: 'use small in dev' });
    expect((await store.getInstance(other.id))?.status).toMatchObject({ phase: 'Denied', lastError: 'denied by carol: use small in dev', approval: { state: 'Denied', reason: 'use small in dev' } });
    const kinds = (await store.listEvents({ instanceId: other.id })).items.map((e) => [e.kind, e.actor]);
    expect(kinds).toEqual([['instance.requested', 'alice'], ['instance.approval-requested', 'alice'], ['instance.denied', 'carol']]);
    await expect(store.decideApproval('missing', { state: 'Approved', by: 'bob' })).rejects.toMatchObject({ code: 'approval_not_found' });
  });
});
