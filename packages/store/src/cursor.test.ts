import { describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';

describe('cursor', () => {
  it('round-trips a sort key', () => {
    expect(decodeCursor(encodeCursor(['2024-01-01T00:00:00.000Z', 'abc']), ['string', 'string'])).toEqual(['2024-01-01T00:00:00.000Z', 'abc']);
  });

  it('rejects a tampered cursor with an InputError naming cursor', () => {
    for (const bad of ['%%%', encodeCursor([1]), Buffer.from('{"a":1}').toString('base64url')]) {
      try {
        decodeCursor(bad, ['string', 'string']);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).issues[0]?.path).toBe('cursor');
      }
    }
  });

  it('rejects keys the store could not take: numbers past a sequence, NUL in text', () => {
    expect(decodeCursor(encodeCursor([42]), ['number'])).toEqual([42]);
    for (const [key, shape] of [[[1e308], ['number']], [[-1], ['number']], [[1.5], ['number']], [['a\u0000', 'b'], ['string', 'string']]] as const) {
      expect(() => decodeCursor(encodeCursor(key as unknown as (string | number)[]), shape as unknown as ('string' | 'number')[]), JSON.stringify(key)).toThrow(InputError);
    }
  });

  it('defaults the limit to 50 and caps it at 500', () => {
    expect(pageLimit(undefined)).toBe(50);
    expect(pageLimit(10_000)).toBe(500);
    expect(() => pageLimit(0)).toThrow(InputError);
  });
});
