import { expect, it } from 'vitest';
import type { PolicyManifest } from '@paved/model';
import { eachStore } from '../testing.js';
import { newInstance, productVersion, seedTeam, watchSent } from '../test-fixtures.js';

function policy(name: string, version: string): PolicyManifest {
  return { apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name, owner: 'platform' }, spec: { version, validations: [{ expression: 'true', message: 'always' }] } };
}

eachStore('store: the reads a request is judged with (readForGate)', (open) => {
  it('answers as latestProductVersion, instanceUsage and listPolicyVersions would', async () => {
    const store = await open();
    const team = await seedTeam(store);
    for (const v of ['1.9.0', '1.10.0']) await store.publishProductVersion(productVersion('postgres', v));
    await store.putPolicyVersion({ name: 'p', version: '1.0.0', owner: 'platform', manifest: policy('p', '1.0.0'), digest: 'd1', appliedBy: 'alice' });
    await store.createInstance(newInstance(team, 'a', { environment: 'dev' }));
    await store.createInstance(newInstance(team, 'b', { plan: 'large' }));
    const usage = { teamId: team.id, product: 'postgres', plan: 'small', environment: 'dev' };

    const read = await store.readForGate({ usage, latestVersion: true });
    expect(read).toEqual({
      latestVersion: await store.latestProductVersion('postgres'), usage: await store.instanceUsage(usage), usageOf: usage,
      policyVersions: await store.listPolicyVersions(),
    });
    expect(read.latestVersion).toBe('1.10.0');
    // Not asked for: not read. A product with none: absent, as latestProductVersion's undefined.
    expect(await store.readForGate({ usage, latestVersion: false })).not.toHaveProperty('latestVersion');
    expect(await store.readForGate({ usage: { ...usage, product: 'none' }, latestVersion: true })).not.toHaveProperty('latestVersion');
  });

  it('sends the three reads together on one connection: one round trip on PostgreSQL', async (context) => {
    // Watched from before the store opens: its connections bind pg's query when they connect.
    const { sent, spy } = watchSent((text, client, behind) => ({ text, client, behind }));
    let seen: typeof sent;
    try {
      const store = await open();
      if (store.dialect !== 'postgres') context.skip();
      const team = await seedTeam(store);
      await store.publishProductVersion(productVersion('postgres', '1.0.0'));
      const usage = { teamId: team.id, product: 'postgres', plan: 'small' };
      await store.readForGate({ usage, latestVersion: true }); // the statements prepared on a connection
      const from = sent.length;
      await store.readForGate({ usage, latestVersion: true });
      seen = sent.slice(from);
    } finally {
      spy.mockRestore();
    }
    expect(seen.map((s) => s.text.slice(0, 30))).toEqual([
      'select "version" from "product',
      'select count(*) as "team", coa',
      'select "name", "version", "own',
    ]);
    expect(new Set(seen.map((s) => s.client)).size).toBe(1);
    // Behind the first, unanswered: they share its round trip.
    expect(seen.map((s) => s.behind)).toEqual([false, true, true]);
  });
});
