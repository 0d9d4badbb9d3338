import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl, postgresUnavailableReason } from '../testing.js';
import { binaryArray } from './postgres-binary-arrays.js';

describe('binary arrays: their fallback', () => {
  it('answers the values themselves when one is not of the type (pg then sends them as text, as before)', () => {
    const values = [1, 2.5];
    expect(binaryArray('integer', values)).toBe(values);
    expect(binaryArray('integer', [1, 2 ** 31])).toEqual([1, 2 ** 31]);
    expect(binaryArray('bigint', ['1'])).toEqual(['1']);
    expect(binaryArray('text', ['a', { b: 1 }])).toEqual(['a', { b: 1 }]);
    expect(binaryArray('text', ['a', null])).toBeInstanceOf(Buffer);
  });
});

const unavailable = await postgresUnavailableReason();
if (unavailable !== undefined && process.env.CI !== 'true') console.warn(`Skipping the binary arrays' tests: ${unavailable}.`);

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('binary arrays as PostgreSQL reads them', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  /** What PostgreSQL reads from `parameter` as an array of `type`, element by element, as text (null stays null). */
  async function read(type: string, parameter: unknown): Promise<unknown[]> {
    const result = await client.query<{ v: string | null }>(`select v::text from unnest($1::${type}[]) with ordinality as u(v, n) order by n`, [parameter]);
    return result.rows.map((row) => row.v);
  }

  it('reads text as given: quotes, backslashes, braces, commas, NULL as a word, empty, unicode, JSON; and nulls', async () => {
    const values = ['plain', 'a "quoted" \\ back\\slash', '{x,y}', 'NULL', '', 'ünïcødé ✓ 𝄞', '{"k":"v\\n"}', null, ' spaced '];
    const parameter = binaryArray('text', values);
    expect(parameter).toBeInstanceOf(Buffer);
    expect(await read('text', parameter)).toEqual(values);
    // The same as pg's own text form of the same array.
    expect(await read('text', values)).toEqual(values);
  });

  it('reads integers and bigints as given, negatives and nulls included', async () => {
    const integers = [0, 1, -1, 2147483647, -2147483648, null, 42];
    expect(await read('integer', binaryArray('integer', integers))).toEqual(integers.map((n) => (n === null ? null : String(n))));
    const bigints = [0, -1, 1, 2 ** 32, -(2 ** 32) - 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_764_900_000_123, null];
    expect(await read('bigint', binaryArray('bigint', bigints))).toEqual(bigints.map((n) => (n === null ? null : String(n))));
  });

  it('reads an empty array as empty, and one element as one', async () => {
    expect(await read('text', binaryArray('text', []))).toEqual([]);
    expect(await read('bigint', binaryArray('bigint', [7]))).toEqual(['7']);
  });
});
