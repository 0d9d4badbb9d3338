import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditVerifier, type AuditExportLine, type AuditKey, type AuditRecord } from '@paved/model';
import { eachStore, runSqlBehindStore } from '@paved/store/testing';
import { markReady, startHarness, type Caller, type Harness } from '../test-harness.js';

const SECRET = 'pw-7f3a9c1e-never-in-the-audit-log';

async function exportLines(h: Harness, caller: Caller, query = ''): Promise<AuditExportLine[]> {
  const res = await h.call(caller, 'GET', `/api/v1/audit/export${query}`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
  return res.body.trim().split('\n').map((line) => JSON.parse(line) as AuditExportLine);
}

const recordsOf = (lines: AuditExportLine[]) => lines.filter((l): l is AuditExportLine & AuditRecord & { type: 'record' } => l.type === 'record');

async function verifyExport(h: Harness, caller: Caller) {
  const keys = (await h.call(caller, 'GET', '/api/v1/audit/keys')).json().items as AuditKey[];
  const verifier = new AuditVerifier({ keys });
  (await exportLines(h, caller)).forEach((line, i) => verifier.line(JSON.stringify(line), i + 1));
  return verifier.finish();
}

eachStore('audit log over the API', (open) => {
  describe('what is recorded', () => {
    let h: Harness;
    let ann: Caller;
    let vic: Caller;
    const issued: string[] = [];

    beforeAll(async () => {
      h = await startHarness(await open());
      ann = await h.user('ann');
      vic = await h.user('vic');
      issued.push(h.admin.token, ann.token, vic.token);
      await h.team('own', [[ann, 'owner'], [vic, 'viewer']]);
      await h.product('own');
    });
    afterAll(() => h.close());

    it('records changes and reveals with actor, token, source and outcome, refusals too, and never a secret', async () => {
      const created = await h.app.inject({
        method: 'POST', url: '/api/v1/teams/own/instances', payload: { name: 'db', product: 'pgdb', inputs: { extensions: ['citext'] } },
        headers: { authorization: `Bearer ${ann.token}`, 'paved-client': 'cli/0.1.0', 'user-agent': 'paved-cli/0.1.0' },
      });
      expect(created.statusCode, created.body).toBe(202);
      await markReady(h.store, created.json(), { host: 'db.internal', password: SECRET });
      const revealed = await h.call(ann, 'POST', '/api/v1/teams/own/instances/db/credentials:reveal', {});
      expect(revealed.body).toContain(SECRET);
      expect((await h.call(vic, 'DELETE', '/api/v1/teams/own/instances/db')).statusCode).toBe(403);
      expect((await h.call(undefined, 'POST', '/api/v1/teams', { name: 'sneaky' })).statusCode).toBe(401);
      expect((await h.call(ann, 'POST', '/api/v1/teams/own/services', { name: 'Not A Name' })).statusCode).toBe(400);
      const token = await h.call(ann, 'POST', '/api/v1/users/ann/tokens', { name: 'laptop', readOnly: true });
      issued.push(token.json().token);
      const user = await h.call(h.admin, 'POST', '/api/v1/users', { name: 'newbie' });
      issued.push(user.json().token);
      expect((await h.call(ann, 'GET', '/api/v1/teams/own/instances')).statusCode).toBe(200);
      // A token pasted where it does not belong (a user agent, a path) is blanked.
      await h.app.inject({ method: 'POST', url: '/api/v1/teams/own/services', payload: { name: 'pasted' }, headers: { authorization: `Bearer ${ann.token}`, 'user-agent': `script ${ann.token}` } });
      expect((await h.call(ann, 'DELETE', `/api/v1/users/ann/tokens/${ann.token}`)).statusCode).toBe(400);

      const items = (await h.call(h.admin, 'GET', '/api/v1/audit?limit=100')).json().items as AuditRecord[];
      const find = (action: string, stage = 'completed') => items.find((r) => r.action === action && r.stage === stage);
      expect(find('createInstance')).toMatchObject({
        actor: 'ann', team: 'own', target: { team: 'own', instance: 'db' },
        outcome: { result: 'allowed', status: 202 },
        source: { address: '127.0.0.1', userAgent: 'paved-cli/0.1.0', interface: 'cli' },
        summary: { name: 'db', product: 'pgdb', 'inputs.keys': ['extensions'] },
      });
      expect(find('createInstance')!.tokenId).toBe((await h.call(ann, 'GET', '/api/v1/whoami')).json().token.id);
      expect(find('revealCredentials')).toMatchObject({ actor: 'ann', target: { team: 'own', instance: 'db' }, outcome: { result: 'allowed', status: 200 }, source: { interface: 'api' } });
      expect(find('deleteInstance')).toMatchObject({ actor: 'vic', outcome: { result: 'refused', status: 403, code: 'role_insufficient' } });
      // Refused before its body is read: the record has no summary, and no token.
      expect(find('createTeam')).toMatchObject({ actor: 'anonymous', outcome: { result: 'refused', status: 401, code: 'token_missing' } });
      expect(find('createTeam')!.tokenId).toBeUndefined();
      expect(find('createTeam')!.summary).toBeUndefined();
      expect(items.find((r) => r.action === 'createService' && r.outcome?.status === 400)).toMatchObject({ actor: 'ann', outcome: { result: 'refused', code: 'invalid_input' } });
      const annToken = items.find((r) => r.action === 'token.issue' && r.target?.user === 'ann' && r.summary?.name === 'laptop');
      expect(annToken).toMatchObject({ actor: 'ann', target: { token: token.json().info.id }, summary: { readOnly: true }, source: { address: '127.0.0.1' } });
      expect(items.find((r) => r.action === 'token.issue' && r.target?.user === 'newbie')).toMatchObject({ actor: h.admin.user.name });
      // Reads are not recorded; a served request shows once (its `received` record is in the export).
      expect(items.some((r) => r.action === 'listInstances')).toBe(false);
      expect(items.filter((r) => r.action === 'createInstance')).toHaveLength(1);
      expect(items.find((r) => r.action === 'createService' && r.target?.service === 'pasted')!.source?.userAgent).toBe('script pvd_[redacted]');
      expect(find('revokeToken')!.target).toEqual({ user: 'ann', token: 'pvd_[redacted]' });

      const lines = await exportLines(h, h.admin);
      const received = recordsOf(lines).find((r) => r.action === 'createInstance' && r.stage === 'received')!;
      expect(received.outcome).toBeUndefined();
      expect(received.requestId).toBe(find('createInstance')!.requestId);
      // The requests that were refused before being served were never `received`.
      expect(recordsOf(lines).some((r) => r.actor === 'anonymous' && r.stage === 'received')).toBe(false);

      const everything = JSON.stringify(lines);
      for (const secret of [SECRET, ...issued]) expect(everything).not.toContain(secret);
    });

    it('lets platform admins read everything and team owners their own team\'s records', async () => {
      await h.team('other', [[vic, 'owner']]);
      expect((await h.call(vic, 'POST', '/api/v1/teams/other/services', { name: 'svc' })).statusCode).toBe(201);

      const own = (await h.call(ann, 'GET', '/api/v1/audit?team=own&limit=100')).json().items as AuditRecord[];
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((r) => r.team === 'own')).toBe(true);
      const other = await h.call(ann, 'GET', '/api/v1/audit?team=other');
      expect(other.statusCode).toBe(403);
      expect(other.json().code).toBe('not_team_member');
      expect((await h.call(vic, 'GET', '/api/v1/audit?team=own')).json().code).toBe('role_insufficient');
      expect((await h.call(ann, 'GET', '/api/v1/audit')).json().code).toBe('admin_required');
      expect((await h.call(ann, 'GET', '/api/v1/audit/export')).json().code).toBe('admin_required');

      const reader = (await h.call(ann, 'POST', '/api/v1/users/ann/tokens', { name: 'siem', readOnly: true })).json().token as string;
      expect((await h.call({ user: ann.user, token: reader }, 'GET', '/api/v1/audit?team=own')).statusCode).toBe(200);

      const teamExport = await exportLines(h, ann, '?team=own');
      expect(teamExport[0]).toMatchObject({ type: 'header', team: 'own' });
      expect(recordsOf(teamExport).every((r) => r.team === 'own')).toBe(true);
      expect(teamExport.some((l) => l.type === 'checkpoint')).toBe(false);

      const byActor = (await h.call(h.admin, 'GET', '/api/v1/audit?actor=vic&action=createService')).json().items as AuditRecord[];
      expect(byActor.map((r) => `${r.actor} ${r.action} ${r.team}`)).toEqual(['vic createService other']);
      expect((await h.call(h.admin, 'GET', '/api/v1/audit?since=soon')).json()).toMatchObject({ code: 'since_invalid', errors: [{ path: 'since' }] });
      expect((await h.call(h.admin, 'GET', '/api/v1/audit?until=1h')).json().items).toEqual([]);
    });

    it('exports a chain that verifies, ending with a checkpoint of its last record', async () => {
      const lines = await exportLines(h, h.admin);
      expect(lines[0]).toMatchObject({ type: 'header', format: 'paved-audit', version: 1 });
      const records = recordsOf(lines);
      expect(lines.at(-1)).toMatchObject({ type: 'checkpoint', seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });
      const result = await verifyExport(h, h.admin);
      expect(result.problems).toEqual([]);
      expect(result.records).toBe(records.length);
    });
  });

  it('keeps the records of concurrent requests in one chain that verifies', async () => {
    const h = await startHarness(await open());
    try {
      const users = await Promise.all(['u1', 'u2', 'u3'].map((name) => h.user(name)));
      await h.team('busy', users.map((u) => [u, 'member'] as [Caller, 'member']));
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => h.call(users[i % 3], 'POST', '/api/v1/teams/busy/services', { name: i % 5 === 4 ? 'Bad Name' : `svc-${i}` })));
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(24);

      const result = await verifyExport(h, h.admin);
      expect(result.problems).toEqual([]);
      const records = recordsOf(await exportLines(h, h.admin)).filter((r) => r.action === 'createService');
      expect(records.filter((r) => r.stage === 'completed')).toHaveLength(30);
      // Each served request: a received record before its completed one, with the same request id.
      const served = records.filter((r) => r.stage === 'completed' && r.outcome?.status === 201);
      for (const done of served) {
        const before = records.find((r) => r.stage === 'received' && r.requestId === done.requestId);
        expect(before!.seq).toBeLessThan(done.seq);
      }
    } finally {
      await h.close();
    }
  });

  it('refuses a request, changing nothing, when its record cannot be written', async () => {
    const h = await startHarness(await open());
    try {
      const ann = await h.user('ann');
      await h.team('own', [[ann, 'member']]);
      // Someone with write access to the database breaks the chain's head: appends fail.
      await runSqlBehindStore(h.store, ['DELETE FROM audit_head']);
      const res = await h.call(ann, 'POST', '/api/v1/teams/own/services', { name: 'web' });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('audit_unavailable');
      const team = (await h.store.getTeam({ name: 'own' }))!;
      expect(await h.store.getService(team.id, 'web')).toBeUndefined();
      // A token is not handed out without its record either.
      expect((await h.call(ann, 'POST', '/api/v1/users/ann/tokens', { name: 'x' })).statusCode).toBe(503);
      expect((await h.store.listTokens(ann.user.id)).map((t) => t.name)).toEqual(['default']);
    } finally {
      await h.close();
    }
  });

  it('refuses a create, changing nothing, when its record (written beside the create\'s reads) cannot be written', async () => {
    const h = await startHarness(await open());
    try {
      const ann = await h.user('ann');
      await h.team('platform');
      await h.team('own', [[ann, 'member']]);
      await h.product('platform');
      await runSqlBehindStore(h.store, ['DELETE FROM audit_head']);
      // Served, refused by the service, a dry run, answered with the status stream: each 503, nothing created.
      for (const [url, body] of [
        ['/api/v1/teams/own/instances', { name: 'db1', product: 'pgdb' }],
        ['/api/v1/teams/own/instances', { name: 'db2', product: 'no-such-product' }],
        ['/api/v1/teams/own/instances', { name: 'db3', product: 'pgdb', dryRun: true }],
        ['/api/v1/teams/own/instances?wait=ready&reveal=true', { name: 'db4', product: 'pgdb' }],
      ] as const) {
        const res = await h.call(ann, 'POST', url, body);
        expect(res.statusCode, `${url} ${body.name}`).toBe(503);
        expect(res.json().code).toBe('audit_unavailable');
      }
      const team = (await h.store.getTeam({ name: 'own' }))!;
      for (const name of ['db1', 'db2', 'db3', 'db4']) expect(await h.store.getInstanceByName(team.id, name)).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  it('keeps refusals without a valid token to a few per address per minute, and counts the rest', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const h = await startHarness(await open({ now: () => now }), { now: () => now });
    try {
      for (let i = 0; i < 15; i++) expect((await h.call(undefined, 'POST', '/api/v1/teams', { name: `t${i}` })).statusCode).toBe(401);
      now += 60_000;
      await h.call(undefined, 'POST', '/api/v1/teams', { name: 'later' });
      const refused = (await h.call(h.admin, 'GET', '/api/v1/audit?actor=anonymous&limit=100')).json().items as AuditRecord[];
      expect(refused).toHaveLength(11);
      expect(refused[0]!.summary).toEqual({ suppressed: 5 });
    } finally {
      await h.close();
    }
  });

  it('takes the client address from X-Forwarded-For only when told to trust the proxy', async () => {
    const store = await open();
    for (const [trustProxy, address] of [[undefined, '127.0.0.1'], [true, '203.0.113.7']] as const) {
      const h = await startHarness(store, trustProxy === undefined ? {} : { trustProxy });
      try {
        await h.app.inject({ method: 'POST', url: '/api/v1/teams', payload: { name: 'x' }, headers: { 'x-forwarded-for': '203.0.113.7' } });
        const [record] = (await h.call(h.admin, 'GET', '/api/v1/audit?actor=anonymous&limit=1')).json().items as AuditRecord[];
        expect(record!.source?.address).toBe(address);
      } finally {
        await h.close();
      }
    }
  });
});
