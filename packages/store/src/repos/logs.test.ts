import { expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { eachStore } from '../testing.js';
import { LOG_LINE_MAX_BYTES } from './logs.js';

const shop = { teamId: 't1', service: 'shop', environment: 'dev' };
const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 12, minute)).toISOString();

eachStore('store: logs', (open) => {
  it('appends a batch and lists it oldest first, one stream at a time', async () => {
    const store = await open();
    const heard: unknown[] = [];
    const off = store.onLogLines((appended) => heard.push(appended));
    const result = await store.appendLogLines({
      ...shop,
      lines: [
        { at: at(0), stream: 'stdout', line: 'hello' },
        { at: at(1), stream: 'stderr', line: 'oops' },
      ],
    });
    await store.appendLogLines({ ...shop, environment: 'prod', lines: [{ at: at(0), stream: 'stdout', line: 'other env' }] });
    off();
    await store.appendLogLines({ ...shop, lines: [{ at: at(2), stream: 'stdout', line: 'after unsubscribe' }] });

    expect(result.appended).toBe(2);
    expect(heard).toEqual([
      { ...shop, lastSeq: result.lastSeq },
      { ...shop, environment: 'prod', lastSeq: expect.any(Number) },
    ]);
    const page = await store.listLogLines({ ...shop });
    expect(page.items.map((l) => [l.stream, l.line])).toEqual([['stdout', 'hello'], ['stderr', 'oops'], ['stdout', 'after unsubscribe']]);
    expect(page.items[0]).toMatchObject({ service: 'shop', environment: 'dev', at: at(0) });
    expect(page.items[1]!.seq).toBe(result.lastSeq);
    expect(page.nextSeq).toBeUndefined();
    expect(await store.lastLogSeq(shop)).toBe(page.items[2]!.seq);
    expect(await store.lastLogSeq({ ...shop, service: 'nothing' })).toBe(0);
    expect((await store.listLogStreams()).sort((a, b) => a.environment.localeCompare(b.environment))).toEqual([shop, { ...shop, environment: 'prod' }]);
  });

  it('pages by seq, and filters by time and by a literal case-sensitive substring', async () => {
    const store = await open();
    const lines = ['100% done', '100 done', 'user_id=7', 'userXid=8', 'USER_ID=9', 'plain'];
    await store.appendLogLines({ ...shop, lines: lines.map((line, i) => ({ at: at(i), stream: 'stdout' as const, line })) });

    const first = await store.listLogLines({ ...shop, limit: 4 });
    expect(first.items.map((l) => l.line)).toEqual(lines.slice(0, 4));
    expect(first.nextSeq).toBe(first.items[3]!.seq);
    const rest = await store.listLogLines({ ...shop, limit: 4, sinceSeq: first.nextSeq! });
    expect(rest.items.map((l) => l.line)).toEqual(lines.slice(4));
    expect(rest.nextSeq).toBeUndefined();

    // % and _ are SQL LIKE wildcards: here they must match only themselves.
    const percent = await store.listLogLines({ ...shop, grep: '%' });
    expect(percent.items.map((l) => l.line)).toEqual(['100% done']);
    expect(percent.readTo).toBe(rest.items.at(-1)!.seq); // read to the end, so a follower does not read the misses again
    expect((await store.listLogLines({ ...shop, grep: 'user_id' })).items.map((l) => l.line)).toEqual(['user_id=7']);
    expect((await store.listLogLines({ ...shop, grep: 'done', limit: 1 })).items.map((l) => l.line)).toEqual(['100% done']);
    expect((await store.listLogLines({ ...shop, sinceAt: at(4) })).items.map((l) => l.line)).toEqual(['USER_ID=9', 'plain']);
  });

  it('cuts lines longer than 16 KiB without splitting a character, and refuses batches over 1000 lines', async () => {
    const store = await open();
    await store.appendLogLines({ ...shop, lines: [{ at: at(0), stream: 'stdout', line: 'é'.repeat(LOG_LINE_MAX_BYTES) }] });
    const [stored] = (await store.listLogLines({ ...shop })).items;
    expect(Buffer.byteLength(stored!.line)).toBe(LOG_LINE_MAX_BYTES);
    expect(stored!.line).toBe('é'.repeat(LOG_LINE_MAX_BYTES / 2));

    const tooMany = Array.from({ length: 1001 }, () => ({ at: at(0), stream: 'stdout' as const, line: 'x' }));
    const refused = await store.appendLogLines({ ...shop, lines: tooMany }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).issues[0]?.path).toBe('lines');
    expect((await store.listLogLines({ ...shop })).items).toHaveLength(1);
  });

  it('prunes lines older than a time, in one stream or everywhere', async () => {
    const store = await open();
    const batch = (environment: string) => ({
      ...shop, environment, lines: [0, 10, 20].map((m) => ({ at: at(m), stream: 'stdout' as const, line: `minute ${m}` })),
    });
    await store.appendLogLines(batch('dev'));
    await store.appendLogLines(batch('prod'));

    expect(await store.pruneLogLines({ ...shop, olderThan: at(15) })).toBe(2);
    expect((await store.listLogLines({ ...shop })).items.map((l) => l.line)).toEqual(['minute 20']);
    expect((await store.listLogLines({ ...shop, environment: 'prod' })).items).toHaveLength(3);
    expect(await store.pruneLogLines({ olderThan: at(5) })).toBe(1);
    expect((await store.listLogLines({ ...shop, environment: 'prod' })).items.map((l) => l.line)).toEqual(['minute 10', 'minute 20']);
    expect(await store.pruneLogLines({ olderThan: at(5) })).toBe(0);
  });
});
