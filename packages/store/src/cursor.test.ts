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

  it('defaults the limit to 50 and caps it at 500', () => {
    expect(pageLimit(undefined)).toBe(50);
    expect(pageLimit(10_000)).toBe(500);
    expect(() => pageLimit(0)).toThrow(InputError);
  });
});
