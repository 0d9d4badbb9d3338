import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, QuotaError } from '@paved/model';
import { eachStore } from '../testing.js';
import { newInstance, seedTeam, watchSent } from '../test-fixtures.js';

eachStore('store: a create\'s statements in flights', (open) => {
  it('sends the insert and its event behind the lock and the name/usage read, unanswered (PostgreSQL); a create its checks refuse writes and holds nothing', async () => {
    // Watched from before the store opens: its connections bind pg's query when they connect.
    const { sent, spy } = watchSent((text, _client, behind) => ({ text: text.replace(/\s+/g, ' ').slice(0, 40), behind }));
    try {
      const store = await open();
      const team = await seedTeam(store);
      const root = await store.createUser({ name: 'root', admin: true }); // no member of the team: an outsider
      const quota = { max: 2 };
      await store.createInstance(newInstance(team, 'a', { quota })); // the statements prepared on a connection
      const from = sent.length;
      await store.createInstance(newInstance(team, 'b', { quota }));
      // SQLite runs each statement before the next is built: no flight to check there, the refusals below hold on both.
      const flight = store.dialect === 'postgres' ? sent.slice(from) : undefined;
      if (flight !== undefined) expect(flight.slice(0, 6).map((s) => s.text)).toEqual([
        'begin',
        expect.stringMatching(/^select "id", "name" from "teams" where/),
        expect.stringMatching(/^select \(select "id" from "instances"/),
        expect.stringMatching(/^insert into "instances"/),
        expect.stringMatching(/^with "appended" as \(insert into "events"/),
        'commit',
      ]);
      // The insert and the event written while the read is still unanswered: one flight with BEGIN and the lock.
      if (flight !== undefined) expect(flight.slice(1, 5).map((s) => s.behind)).toEqual([true, true, true, true]);

      // Refused by the checks, its insert already sent: the checks' error, nothing written (not even an
      // outsider's intervention, which follows the event's answer), the team's lock not held after.
      const before = { count: await store.countInstances({ teamId: team.id }), events: (await store.listEvents({ teamId: team.id })).items.length };
      const overQuota = await store.createInstance(newInstance(team, 'c', { quota, createdBy: root.name })).catch((e: unknown) => e);
      expect(overQuota).toBeInstanceOf(QuotaError);
      expect(overQuota).toMatchObject({ code: 'quota_exceeded', message: expect.stringContaining(`Team ${team.name} already has 2`) });
      const taken = await store.createInstance(newInstance(team, 'b', { createdBy: root.name })).catch((e: unknown) => e);
      expect(taken).toBeInstanceOf(ConflictError);
      expect(taken).toMatchObject({ code: 'instance_exists', message: expect.stringContaining(team.name) });
      await expect(store.createInstance({ ...newInstance(team, 'x'), teamId: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.countInstances({ teamId: team.id })).toBe(before.count);
      expect((await store.listEvents({ teamId: team.id })).items).toHaveLength(before.events);
      expect((await store.listInterventions({ product: 'postgres', kinds: ['act-for-team'] })).items).toEqual([]);
      const outsiders = await store.createInstance(newInstance(team, 'd', { createdBy: root.name }));
      expect(outsiders.name).toBe('d');
      expect((await store.listInterventions({ product: 'postgres', kinds: ['act-for-team'] })).items.map((i) => i.instanceName)).toEqual(['d']);
    } finally {
      spy.mockRestore();
    }
  });
});
