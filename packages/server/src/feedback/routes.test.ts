import { expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { DAY, T0, measuresWorld } from '../metrics/measures-world.test-support.js';

eachStore('API: feedback and help', (open) => {
  it('takes a 1–5 score once per person and instance, and shows the owner team its satisfaction and comments', async () => {
    const { h, clock, dev, plat, outsider } = await measuresWorld(open);
    const about = { team: 'shop', name: 'db1' };
    const given = await h.call(dev, 'POST', '/api/v1/products/pgdb/feedback', { score: 4, comment: '  Quick to get going. ', instance: about });
    expect([given.statusCode, given.json()]).toEqual([201, { id: expect.any(String), product: 'pgdb', version: '1.2.0', score: 4, at: new Date(T0 + 3_600_000).toISOString() }]);
    const again = await h.call(dev, 'POST', '/api/v1/products/pgdb/feedback', { score: 1, instance: about });
    expect([again.statusCode, again.json().code]).toEqual([409, 'feedback_exists']);
    clock.set(T0 + 8 * DAY);
    expect((await h.call(outsider, 'POST', '/api/v1/products/pgdb/feedback', { score: 2 })).statusCode).toBe(201);

    const res = await h.call(plat, 'GET', '/api/v1/products/pgdb/feedback?weeks=2');
    const none = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    expect(res.json()).toEqual({
      product: 'pgdb',
      weeks: [
        { week: '2026-01-05', responses: 1, averageScore: 4, scores: { ...none, '4': 1 } },
        { week: '2026-01-12', responses: 1, averageScore: 2, scores: { ...none, '2': 1 } },
      ],
      // Comments name the team the feedback was about, never the person; empty ones are not comments.
      comments: [{ id: given.json().id, at: new Date(T0 + 3_600_000).toISOString(), version: '1.2.0', team: 'shop', score: 4, comment: 'Quick to get going.' }],
    });
    expect((await h.call(dev, 'GET', '/api/v1/products/pgdb/feedback')).statusCode).toBe(403);
  });

  it('refuses bad scores, other teams\' instances and tokens that are not a person\'s', async () => {
    const { h, dev, outsider } = await measuresWorld(open);
    const bad = await h.call(dev, 'POST', '/api/v1/products/pgdb/feedback', { score: 6 });
    expect([bad.statusCode, bad.json().code, bad.json().errors[0].path]).toEqual([400, 'invalid_input', 'body.score']);
    const hidden = await h.call(outsider, 'POST', '/api/v1/products/pgdb/feedback', { score: 3, instance: { team: 'shop', name: 'db1' } });
    expect([hidden.statusCode, hidden.json().code]).toEqual([404, 'instance_not_found']);
    const other = await h.call(dev, 'POST', '/api/v1/products/nope/feedback', { score: 3 });
    expect([other.statusCode, other.json().code]).toEqual([404, 'product_not_found']);
    const readOnly = (await h.call(dev, 'POST', '/api/v1/users/dev/tokens', { name: 'reader', readOnly: true })).json().token as string;
    const refused = await h.call({ user: dev.user, token: readOnly }, 'POST', '/api/v1/products/pgdb/feedback', { score: 3 });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'token_scope']);
  });

  it('records a help request as an intervention and lists it for the owner team, newest first', async () => {
    const { h, dev, plat, outsider } = await measuresWorld(open);
    await h.call(dev, 'POST', '/api/v1/teams/shop/instances/db1/help', { message: 'First question' });
    const second = await h.call(dev, 'POST', '/api/v1/teams/shop/instances/db2/help', { message: 'Second question' });
    expect(second.statusCode).toBe(201);
    const first = await h.call(plat, 'GET', '/api/v1/products/pgdb/help-requests?limit=1');
    expect(first.json()).toEqual({
      items: [{ id: second.json().id, at: expect.any(String), team: 'shop', instance: 'db2', product: 'pgdb', actor: 'dev', message: 'Second question' }],
      nextCursor: expect.any(String),
    });
    const older = await h.call(plat, 'GET', `/api/v1/products/pgdb/help-requests?cursor=${first.json().nextCursor}`);
    expect(older.json().items.map((i: { message: string }) => i.message)).toEqual(['First question']);
    expect((await h.call(dev, 'GET', '/api/v1/products/pgdb/help-requests')).statusCode).toBe(403);
    expect((await h.call(outsider, 'POST', '/api/v1/teams/shop/instances/db1/help', { message: 'x' })).statusCode).toBe(404);
    const blank = await h.call(dev, 'POST', '/api/v1/teams/shop/instances/db1/help', { message: '   ' });
    expect([blank.statusCode, blank.json().errors[0].path]).toEqual([400, 'body.message']);
    expect((await h.call(dev, 'POST', '/api/v1/teams/shop/instances/nope/help', { message: 'x' })).statusCode).toBe(404);
  });
});
