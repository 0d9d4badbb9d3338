import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseProductManifestsFromText, type LogLine } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createLogStreamDriver } from '@paved/driver-log-stream';
import { eachStore } from '@paved/store/testing';
import { startHarness, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';
import { pruneExpiredLogs } from './retention.js';

const logsManifest = () => parseProductManifestsFromText(readFileSync(new URL('../../../../products/logs.yaml', import.meta.url), 'utf8'), 'logs.yaml')[0]!;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** Reads `log` events off a follow stream (inject cannot follow a response that stays open). */
async function follow(url: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  const lines: LogLine[] = [];
  let text = '';
  let comments = 0;
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const reading = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          wake();
          return;
        }
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          if (block.startsWith(':')) comments++;
          else if (block.startsWith('event: log\n')) lines.push(JSON.parse(block.split('\ndata: ')[1]!) as LogLine);
        }
        wake();
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    response, lines,
    comments: () => comments,
    /** Whether the server ended the stream. */
    ended: () => ended,
    /**
     * Resolves once `predicate` holds, checked whenever the stream receives data; fails after
     * 30 s (a bound on a hang, not a wait).
     */
    async until(what: string, predicate: () => boolean): Promise<void> {
      const deadline = Date.now() + 30_000;
      while (!predicate()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

eachStore('API: logs', (open) => {
  let h: Harness;
  let member: Caller;
  let viewer: Caller;
  let outsider: Caller;
  let base: string;
  const path = '/api/v1/teams/orders/services/shop/environments/dev/logs';

  beforeAll(async () => {
    h = await startHarness(await open(), {
      drivers: { memory: createMemoryDriver(), 'log-stream': createLogStreamDriver() },
      targets: [...TEST_TARGETS, { name: 'local-logs', driver: 'log-stream', labels: {}, config: {} }],
    });
    member = await h.user('lena');
    viewer = await h.user('vic');
    outsider = await h.user('otto');
    await h.team('orders', [[member, 'member'], [viewer, 'viewer']]);
    await h.team('billing', [[outsider, 'member']]);
    await h.team('platform', [], { platform: true });
    const orders = (await h.store.getTeam({ name: 'orders' }))!;
    await h.store.createService({ teamId: orders.id, name: 'shop', description: 'The shop', lifecycle: 'experimental' });
    const published = await h.call(h.admin, 'POST', '/api/v1/products', logsManifest());
    expect(published.statusCode).toBeLessThan(300);
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
    expect((h.app.server.address() as AddressInfo).port).toBeGreaterThan(0);
  });
  afterAll(() => h.close());

  it('lets a team member ship lines and the team read them back, filtered by text and time', async () => {
    const shipped = await h.call(member, 'POST', path, {
      lines: [
        { stream: 'stdout', line: 'GET /orders 200' },
        { stream: 'stderr', line: 'oops: 50% of 2_000 failed', at: daysAgo(1) },
        { stream: 'stdout', line: 'GET /orders 500' },
      ],
    });
    expect(shipped.statusCode, shipped.body).toBe(200);
    expect(shipped.json()).toEqual({ appended: 3 });

    const all = await h.call(viewer, 'GET', path);
    expect(all.statusCode).toBe(200);
    const items = all.json().items as LogLine[];
    expect(items.map((l) => [l.stream, l.line])).toEqual([
      ['stdout', 'GET /orders 200'], ['stderr', 'oops: 50% of 2_000 failed'], ['stdout', 'GET /orders 500'],
    ]);
    expect(items[0]).toMatchObject({ service: 'shop', environment: 'dev' });
    expect(Date.now() - Date.parse(items[0]!.at)).toBeLessThan(60_000);

    expect((await h.call(viewer, 'GET', `${path}?grep=${encodeURIComponent('50%')}`)).json().items.map((l: LogLine) => l.line)).toEqual(['oops: 50% of 2_000 failed']);
    expect((await h.call(viewer, 'GET', `${path}?grep=_`)).json().items).toHaveLength(1);
    expect((await h.call(viewer, 'GET', `${path}?grep=OOPS`)).json().items).toHaveLength(0);
    expect((await h.call(viewer, 'GET', `${path}?since=1h`)).json().items.map((l: LogLine) => l.line)).toEqual(['GET /orders 200', 'GET /orders 500']);

    const first = await h.call(viewer, 'GET', `${path}?limit=2`);
    expect(first.json().items).toHaveLength(2);
    const rest = await h.call(viewer, 'GET', `${path}?limit=2&cursor=${first.json().nextCursor}`);
    expect(rest.json()).toEqual({ items: [items[2]] });
  });

  it('names a bad line by its place, and refuses bad queries and outsiders', async () => {
    const bad = await h.call(member, 'POST', path, { lines: [{ stream: 'stdout', line: 'ok' }, { stream: 'stdout', line: 'ok' }, { stream: 'stdout', line: 'ok' }, { stream: 'stdout', line: 42 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'lines[3].line', message: 'must be a string' }]);
    const stream = await h.call(member, 'POST', path, { lines: [{ stream: 'stdin', line: 'x', at: 'yesterday' }] });
    expect(stream.json().errors.map((e: { path: string }) => e.path)).toEqual(['lines[0].stream', 'lines[0].at']);

    expect((await h.call(member, 'GET', `${path}?since=soon`)).json().errors[0].path).toBe('since');
    expect((await h.call(member, 'GET', `${path}?cursor=abc`)).json().errors[0].path).toBe('cursor');
    expect((await h.call(viewer, 'POST', path, { lines: [] })).statusCode).toBe(403);
    expect((await h.call(outsider, 'GET', path)).statusCode).toBe(403);
    expect((await h.call(outsider, 'POST', path, { lines: [] })).statusCode).toBe(403);
    expect((await h.call(member, 'GET', '/api/v1/teams/nope/services/shop/environments/dev/logs')).statusCode).toBe(404);
    const noService = await h.call(member, 'POST', '/api/v1/teams/orders/services/cart/environments/dev/logs', { lines: [] });
    expect([noService.statusCode, noService.json().errors[0].path]).toEqual([404, 'service']);
    const noEnv = await h.call(member, 'GET', '/api/v1/teams/orders/services/shop/environments/qa/logs');
    expect([noEnv.statusCode, noEnv.json().errors[0].path]).toEqual([404, 'environment']);
  });

  it('follows: a line shipped after connecting arrives as a `log` event', async () => {
    const stream = await follow(`${base}${path}/follow?grep=live`, viewer.token);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await stream.until('the stream to open', () => stream.comments() > 0);
    // Lines before connecting are not replayed without `since` or `cursor`.
    await h.call(member, 'POST', path, { lines: [{ stream: 'stdout', line: 'live one' }, { stream: 'stdout', line: 'not this' }, { stream: 'stderr', line: 'live two' }] });
    await stream.until('two lines', () => stream.lines.length >= 2);
    expect(stream.lines.map((l) => [l.stream, l.line])).toEqual([['stdout', 'live one'], ['stderr', 'live two']]);
    await stream.close();

    const replay = await follow(`${base}${path}/follow?since=1h&grep=live`, viewer.token);
    await replay.until('the replay', () => replay.lines.length >= 2);
    expect(replay.lines.map((l) => l.line)).toEqual(['live one', 'live two']);
    await replay.close();

    const refused = await fetch(`${base}${path}/follow`, { headers: { authorization: `Bearer ${outsider.token}` } });
    expect(refused.status).toBe(403);
  });

  it('ends a follow once its caller may no longer read the stream: removed from the team, token revoked, user disabled', async () => {
    const cases: [string, (reader: Caller, tokenId: string) => Promise<void>][] = [
      ['removed', async (reader) => {
        expect((await h.call(h.admin, 'DELETE', `/api/v1/teams/orders/members/${reader.user.name}`)).statusCode).toBe(204);
      }],
      ['revoked', async (reader, tokenId) => {
        expect((await h.call(h.admin, 'DELETE', `/api/v1/users/${reader.user.name}/tokens/${tokenId}`)).statusCode).toBe(204);
      }],
      ['disabled', async (reader) => {
        expect((await h.call(h.admin, 'PATCH', `/api/v1/users/${reader.user.name}`, { disabled: true })).statusCode).toBe(200);
      }],
    ];
    for (const [what, revoke] of cases) {
      const reader = await h.user(`reader-${what}`);
      await h.call(h.admin, 'PUT', `/api/v1/teams/orders/members/${reader.user.name}`, { role: 'viewer' });
      const issued = (await h.call(reader, 'POST', `/api/v1/users/${reader.user.name}/tokens`, { name: 'follow' })).json() as { token: string; info: { id: string } };
      const stream = await follow(`${base}${path}/follow?grep=${what}`, issued.token);
      await stream.until('the stream to open', () => stream.comments() > 0);
      await h.call(member, 'POST', path, { lines: [{ stream: 'stdout', line: `${what}: before` }] });
      await stream.until('the line shipped before', () => stream.lines.length >= 1);
      await revoke(reader, issued.info.id);
      await h.call(member, 'POST', path, { lines: [{ stream: 'stdout', line: `${what}: after` }] });
      await stream.until('the line shipped after, or the end', () => stream.lines.length >= 2 || stream.ended());
      expect([what, stream.lines.map((l) => l.line), stream.ended()]).toEqual([what, [`${what}: before`], true]);
      await stream.close();
    }
  });

  it('prunes by the retention of the stream\'s logs instance, 7 days without one (admin endpoint)', async () => {
    const created = await h.call(member, 'POST', '/api/v1/teams/orders/instances', {
      name: 'shop-dev-logs', product: 'logs', plan: 'long', inputs: { service: 'shop', environment: 'dev' },
    });
    expect(created.statusCode, created.body).toBe(202);
    const old = (line: string) => ({ stream: 'stdout', line, at: daysAgo(10) });
    await h.call(member, 'POST', path, { lines: [old('old dev line')] });
    const prod = '/api/v1/teams/orders/services/shop/environments/prod/logs';
    await h.call(member, 'POST', prod, { lines: [old('old prod line'), { stream: 'stdout', line: 'new prod line' }] });

    expect((await h.call(member, 'POST', '/api/v1/admin/logs:prune')).statusCode).toBe(403);
    const pruned = await h.call(h.admin, 'POST', '/api/v1/admin/logs:prune');
    expect(pruned.statusCode, pruned.body).toBe(200);
    expect(pruned.json()).toEqual({ deleted: 1, streams: 2 });
    expect((await h.call(member, 'GET', prod)).json().items.map((l: LogLine) => l.line)).toEqual(['new prod line']);
    expect((await h.call(member, 'GET', `${path}?grep=old`)).json().items.map((l: LogLine) => l.line)).toEqual(['old dev line']);
  });

  it('takes a line that claims to come from the future as received now, so retention reaches it', async () => {
    const shipped = await h.call(member, 'POST', '/api/v1/teams/orders/services/shop/environments/staging/logs', {
      lines: [{ stream: 'stdout', line: 'from the year 9999', at: '9999-12-31T23:59:59Z' }],
    });
    expect(shipped.statusCode, shipped.body).toBe(200);
    const [line] = (await h.call(viewer, 'GET', '/api/v1/teams/orders/services/shop/environments/staging/logs')).json().items as LogLine[];
    expect(Date.parse(line!.at)).toBeLessThanOrEqual(Date.now());
    // Past the 7 days a stream without a logs instance keeps, it is pruned like any line.
    await pruneExpiredLogs({ store: h.store, now: Date.now() + 8 * 86_400_000 });
    expect((await h.call(viewer, 'GET', '/api/v1/teams/orders/services/shop/environments/staging/logs')).json().items).toEqual([]);
  });
});
