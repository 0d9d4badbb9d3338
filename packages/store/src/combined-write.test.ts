import type { Kysely } from '#kysely';
import { describe, expect, it } from 'vitest';
import { combineOn, combinedOrAlone, type CombinedStatement } from './combined-write.js';
import type { Database } from './schema.js';

/** A statement that records the rows it was given and answers each with `answer`. */
function recording<R, O>(answer: (rows: readonly R[]) => O[]) {
  const runs: R[][] = [];
  const statement: CombinedStatement<R, O> = {
    async run(_trx, rows) {
      runs.push([...rows]);
      return answer(rows);
    },
  };
  return { statement, runs };
}

describe('combined writes (a turn\'s calls on one handle)', () => {
  it('runs the calls of one statement made in one turn as one, each answered with its row\'s result; one alone runs alone', async () => {
    const handle = {} as Kysely<Database>;
    combineOn(handle);
    const doubled = recording<number, number>((rows) => rows.map((row) => row * 2));
    const other = recording<string, string>((rows) => rows.map((row) => row.toUpperCase()));
    const alone: string[] = [];
    const answers = await Promise.all([
      combinedOrAlone(handle, doubled.statement, 1, async () => { alone.push('1'); return -1; }),
      combinedOrAlone(handle, other.statement, 'x', async () => { alone.push('x'); return 'alone x'; }),
      combinedOrAlone(handle, doubled.statement, 2, async () => { alone.push('2'); return -2; }),
      combinedOrAlone(handle, doubled.statement, 3, async () => { alone.push('3'); return -3; }),
    ]);
    expect(answers).toEqual([2, 'alone x', 4, 6]);
    expect(doubled.runs).toEqual([[1, 2, 3]]);
    expect(other.runs).toEqual([]);
    expect(alone).toEqual(['x']);
  });

  it('fails every call of a statement that fails, or that answers fewer rows than it was given', async () => {
    const handle = {} as Kysely<Database>;
    combineOn(handle);
    const failing: CombinedStatement<number, number> = { run: async () => { throw new Error('refused'); } };
    const short = recording<number, number>(() => [1]);
    const outcomes = await Promise.allSettled([
      combinedOrAlone(handle, failing, 1, async () => 1),
      combinedOrAlone(handle, failing, 2, async () => 2),
      combinedOrAlone(handle, short.statement, 3, async () => 3),
      combinedOrAlone(handle, short.statement, 4, async () => 4),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain('refused');
  });

  it('runs every call alone on a handle that does not combine, and calls of different turns apart', async () => {
    const plain = {} as Kysely<Database>;
    const doubled = recording<number, number>((rows) => rows.map((row) => row * 2));
    expect(await Promise.all([combinedOrAlone(plain, doubled.statement, 1, async () => 10), combinedOrAlone(plain, doubled.statement, 2, async () => 20)])).toEqual([10, 20]);
    const handle = {} as Kysely<Database>;
    combineOn(handle);
    expect(await combinedOrAlone(handle, doubled.statement, 3, async () => 30)).toBe(30);
    expect(await combinedOrAlone(handle, doubled.statement, 4, async () => 40)).toBe(40);
    expect(doubled.runs).toEqual([]);
  });
});
