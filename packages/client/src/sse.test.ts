import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('SseParser', () => {
  it('parses events split at every possible byte boundary', () => {
    const stream = 'event: status\ndata: {"a":"é"}\n\n: keep-alive\n\nevent: deleted\ndata: {}\n\n';
    const all = bytes(stream);
    for (let cut = 1; cut < all.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(all.slice(0, cut)), ...parser.push(all.slice(cut))];
      expect(events, `cut at ${cut}`).toEqual([
        { event: 'status', data: '{"a":"é"}' },
        { event: 'deleted', data: '{}' },
      ]);
    }
  });

  it('treats CRLF split between chunks as one line end and joins multi-line data', () => {
    const parser = new SseParser();
    const events = [
      ...parser.push('data: one\r'),
      ...parser.push('\ndata:two\r'),
      ...parser.push('\n\r'),
      ...parser.push('\n'),
    ];
    expect(events).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });

  it('does not dispatch an event without data or before its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('event: status\n\n')).toEqual([]);
    expect(parser.push('event: status\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'status', data: 'x' }]);
  });
});
