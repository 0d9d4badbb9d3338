import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore, type Store } from '@paved/store';
import { startHarness, type Harness } from '../test-harness.js';
import { lazyRequestLogger } from './logging.js';

/** A process logger (as `paved up` passes its own) writing to `lines`, with its children counted. */
function countedLogger(level: string, lines: string[]) {
  const logger = pino({ level }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  return { logger, child: vi.spyOn(logger, 'child') };
}

describe("a request's logger", () => {
  let h: Harness | undefined;
  let store: Store | undefined;
  const openTestStore = async () => {
    store = await createStore({ url: ':memory:' });
    await store.migrate();
    return store;
  };
  afterEach(async () => {
    await h?.close();
    await store?.close();
    h = undefined;
    store = undefined;
  });

  it('makes no child logger for a request that writes no line at its level', async () => {
    const lines: string[] = [];
    const { logger, child } = countedLogger('warn', lines);
    h = await startHarness(await openTestStore(), { logger });
    child.mockClear();
    for (let i = 0; i < 3; i++) expect((await h.call(h.admin, 'GET', '/api/v1/whoami')).statusCode).toBe(200);
    expect((await h.call(undefined, 'GET', '/api/v1/whoami')).statusCode).toBe(401); // refused: an info line, not written at warn
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it("writes a line at its level with the request's id, through the child Fastify would make", async () => {
    const lines: string[] = [];
    const { logger } = countedLogger('info', lines);
    h = await startHarness(await openTestStore(), { logger });
    expect((await h.call(undefined, 'GET', '/api/v1/whoami')).statusCode).toBe(401);
    expect((await h.call(h.admin, 'GET', '/api/v1/whoami')).statusCode).toBe(200);
    const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const refused = written.find((line) => line.msg === 'request refused');
    const completed = written.filter((line) => line.msg === 'request completed');
    expect(refused).toMatchObject({ level: 30, code: 'token_missing', status: 401 });
    expect(completed).toHaveLength(2);
    expect(completed.map((line) => line.statusCode)).toEqual([401, 200]);
    expect(completed[1]).toMatchObject({ method: 'GET', route: '/api/v1/whoami', path: '/api/v1/whoami' });
    for (const line of [refused, ...completed]) expect(line?.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused?.reqId).toBe(completed[0]?.reqId);
    expect(completed[0]?.reqId).not.toBe(completed[1]?.reqId);
  });

  it('answers level checks and a level change as a child does, and writes through one child', () => {
    const lines: string[] = [];
    const { logger, child } = countedLogger('warn', lines);
    const log = lazyRequestLogger(logger, { reqId: 'r-1' }, {}) as typeof logger;
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    log.info('not written');
    expect(child).not.toHaveBeenCalled();
    log.level = 'debug';
    log.debug({ seen: true }, 'below the process level');
    log.warn('twice');
    expect(log.isLevelEnabled('debug')).toBe(true);
    expect([log.level, logger.level]).toEqual(['debug', 'warn']);
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
      { level: 20, seen: true, reqId: 'r-1', msg: 'below the process level' }, { level: 40, reqId: 'r-1', msg: 'twice' },
    ]);
    expect(lazyRequestLogger(logger, { reqId: 'r-2' }, { level: 'debug' }).level).toBe('debug'); // options: Fastify's own child
  });
});
