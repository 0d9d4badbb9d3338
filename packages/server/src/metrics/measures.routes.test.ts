import { expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { T0, HOUR, measuresWorld } from './measures-world.test-support.js';

/**
 * The measures through the API, over a real store on both dialects, with figures worked out
 * by hand from measures-world.test-support.ts: db1 Ready in 2 s; db2 Failed first, retried by
 * an admin from outside team shop, Ready 240 s after its request; pgdb's SLO p95 is 5 s.
 */
eachStore('API: measures', (open) => {
  it('shows a product\'s analytics to its owner team and admins only', async () => {
    const { h, dev, plat } = await measuresWorld(open);
    const res = await h.call(plat, 'GET', '/api/v1/metrics/products/pgdb?since=7d');
    expect(res.statusCode).toBe(200);
    const expected = {
      product: 'pgdb',
      owner: 'plat',
      since: new Date(T0 + HOUR - 7 * 86_400_000).toISOString(),
      until: new Date(T0 + HOUR).toISOString(),
      adoptingTeams: 1,
      liveInstances: 2,
      requests: { requested: 2, ready: 1, failed: 1, abandoned: 0, pending: 0, successRate: 0.5 },
      timeToReady: { count: 2, p50Ms: 2_000, p95Ms: 240_000, slo: { p95Ms: 5_000, met: false } },
      teamOnboarding: { teams: 1, p50Ms: 2_000, p95Ms: 2_000 },
      versions: [{
        version: '1.2.0', liveInstances: 2, adoptingTeams: 1,
        requests: { requested: 2, ready: 1, failed: 1, abandoned: 0, pending: 0, successRate: 0.5 },
        timeToReady: { count: 2, p50Ms: 2_000, p95Ms: 240_000, slo: { p95Ms: 5_000, met: false } },
      }],
      deprecatedInstances: [],
    };
    expect(res.json()).toEqual(expected);
    expect((await h.call(h.admin, 'GET', '/api/v1/metrics/products?since=7d')).json()).toEqual({ items: [expected] });
    expect((await h.call(plat, 'GET', '/api/v1/metrics/products?since=7d')).json()).toEqual({ items: [expected] });

    const refused = await h.call(dev, 'GET', '/api/v1/metrics/products/pgdb');
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'not_platform_team']);
    expect((await h.call(dev, 'GET', '/api/v1/metrics/products')).statusCode).toBe(403);
    // The window is by request time: nothing was asked for in the last ten minutes.
    const recent = (await h.call(plat, 'GET', '/api/v1/metrics/products/pgdb?since=10m')).json();
    expect([recent.requests.requested, recent.timeToReady, recent.liveInstances]).toEqual([0, { count: 0, slo: { p95Ms: 5_000 } }, 2]);
    const bad = await h.call(plat, 'GET', '/api/v1/metrics/products/pgdb?since=yesterday');
    expect([bad.statusCode, bad.json().code, bad.json().errors]).toEqual([400, 'since_invalid', [{ path: 'since', message: expect.any(String) }]]);
    expect((await h.call(plat, 'GET', '/api/v1/metrics/products/nope')).statusCode).toBe(404);
  });

  it('counts interventions per team and week, and the share of requests Ready without one', async () => {
    const { h, dev, plat, outsider } = await measuresWorld(open);
    const current = {
      week: '2026-01-05', interventions: 1, byKind: { retry: 1 }, readyRequests: 2, readyWithoutIntervention: 1, unassistedShare: 0.5,
    };
    const res = await h.call(plat, 'GET', '/api/v1/metrics/interventions?product=pgdb&weeks=2');
    expect(res.json()).toEqual({
      product: 'pgdb',
      weeks: [{ week: '2025-12-29', interventions: 0, byKind: {}, readyRequests: 0, readyWithoutIntervention: 0 }, current],
      perTeam: [{ team: 'shop', week: '2026-01-05', interventions: 1 }],
    });
    // The team sees its own; a member may narrow them to a product it does not own.
    expect((await h.call(dev, 'GET', '/api/v1/metrics/interventions?team=shop&weeks=1')).json()).toMatchObject({ team: 'shop', weeks: [current] });
    expect((await h.call(dev, 'GET', '/api/v1/metrics/interventions?team=shop&product=pgdb&weeks=1')).json().weeks).toEqual([current]);
    expect((await h.call(dev, 'GET', '/api/v1/metrics/interventions?product=pgdb')).statusCode).toBe(403);
    expect((await h.call(outsider, 'GET', '/api/v1/metrics/interventions?team=shop')).statusCode).toBe(403);
    const everyone = await h.call(plat, 'GET', '/api/v1/metrics/interventions');
    expect([everyone.statusCode, everyone.json().code]).toEqual([403, 'admin_required']);
    expect((await h.call(h.admin, 'GET', '/api/v1/metrics/interventions?weeks=1')).json().weeks).toEqual([current]);

    // A help request from the team and a manual fix recorded by the owner team both count.
    const help = await h.call(dev, 'POST', '/api/v1/teams/shop/instances/db1/help', { message: 'How do I add an extension?' });
    expect([help.statusCode, help.json()]).toEqual([201, expect.objectContaining({ team: 'shop', instance: 'db1', product: 'pgdb', owner: 'plat', support: '#data-platform', actor: 'dev' })]);
    const fix = await h.call(plat, 'POST', '/api/v1/teams/shop/instances/db1/interventions', { kind: 'manual-fix', note: 'Granted CREATE on the schema by hand' });
    expect([fix.statusCode, fix.json()]).toEqual([201, expect.objectContaining({ kind: 'manual-fix', actor: 'plat-member', instance: 'db1' })]);
    const after = (await h.call(plat, 'GET', '/api/v1/metrics/interventions?product=pgdb&weeks=1')).json();
    expect(after.weeks[0].byKind).toEqual({ retry: 1, help: 1, 'manual-fix': 1 });
    expect(after.perTeam).toEqual([{ team: 'shop', week: '2026-01-05', interventions: 3 }]);
    // Interventions after a request was Ready do not change how it got there.
    expect(after.weeks[0].readyWithoutIntervention).toBe(1);

    expect((await h.call(dev, 'POST', '/api/v1/teams/shop/instances/db1/interventions', { kind: 'manual-fix', note: 'x' })).statusCode).toBe(403);
    expect((await h.call(outsider, 'POST', '/api/v1/teams/shop/instances/db1/interventions', { kind: 'manual-fix', note: 'x' })).statusCode).toBe(404);
    const empty = await h.call(plat, 'POST', '/api/v1/teams/shop/instances/db1/interventions', { kind: 'manual-fix', note: '' });
    expect([empty.statusCode, empty.json().errors?.[0]?.path]).toEqual([400, 'body.note']);
  });

  it('measures adoption week by week, platform-wide for platform teams, a team\'s own for its members', async () => {
    const { h, clock, dev, plat, outsider } = await measuresWorld(open);
    const shop = (await h.store.getTeam({ name: 'shop' }))!;
    const web = await h.store.createService({ teamId: shop.id, name: 'web', description: '', lifecycle: 'production' });
    await h.store.createService({ teamId: shop.id, name: 'batch', description: '', lifecycle: 'production' });
    clock.set(T0 + 2 * HOUR);
    await h.store.createInstance({
      teamId: shop.id, name: 'web-db', product: 'pgdb', productVersion: '1.2.0', plan: 'small', inputs: {}, externalName: 'web_db', target: 'test-mem',
      createdBy: 'dev', workload: { serviceId: web.id, environment: 'dev', resource: 'db', shared: false },
    });
    const res = await h.call(plat, 'GET', '/api/v1/metrics/adoption?weeks=2');
    expect(res.json()).toEqual({
      weeks: [{ week: '2025-12-29', services: 0, adopted: 0 }, { week: '2026-01-05', services: 2, adopted: 1, share: 0.5 }],
      teamOnboarding: { teams: 1, p50Ms: 2_000, p95Ms: 2_000 },
    });
    expect((await h.call(dev, 'GET', '/api/v1/metrics/adoption?team=shop&weeks=1')).json()).toMatchObject({ team: 'shop', weeks: [{ services: 2, adopted: 1 }] });
    expect((await h.call(dev, 'GET', '/api/v1/metrics/adoption')).statusCode).toBe(403);
    expect((await h.call(outsider, 'GET', '/api/v1/metrics/adoption?team=shop')).statusCode).toBe(403);
    expect((await h.call(plat, 'GET', '/api/v1/metrics/adoption?weeks=0')).statusCode).toBe(400);
  });
});
