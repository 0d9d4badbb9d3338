import { describe, expect, it } from 'vitest';
import { redact, stderrTail, stdoutHead } from './redact.js';

describe('masking what a script echoes back', () => {
  const secret = 'a1b2c3d4e5f6a7b8c9d0';

  it('masks every occurrence, the longest secret first', () => {
    expect(redact(`x ${secret} y ${secret}`, [secret])).toBe('x *** y ***');
    expect(redact(`k=${secret}ff`, [secret, `${secret}ff`])).toBe('k=***');
    // Very short values are left alone, or every digit would turn into ***.
    expect(redact('exit 1', ['1'])).toBe('exit 1');
  });

  it('drops the first line of clipped stderr, where a cut secret would show its tail', () => {
    const clipped = `${secret.slice(8)} leaked tail\nreal error`;
    expect(stderrTail(clipped, [secret], true)).toBe('real error');
    expect(stderrTail(clipped, [secret], false)).toBe(`${secret.slice(8)} leaked tail | real error`);
  });

  it('keeps the last lines within the byte budget', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    expect(stderrTail(lines, [], false).split(' | ')).toHaveLength(20);
    expect(Buffer.byteLength(stderrTail('z'.repeat(10_000), [], false, { lines: 20, bytes: 100 }))).toBeLessThanOrEqual(103);
  });

  it('masks stdout before cutting it, so the cut cannot expose part of a secret', () => {
    const out = `${'.'.repeat(190)}${secret}`;
    expect(stdoutHead(out, [secret])).toBe(`${'.'.repeat(190)}***`);
  });
});
