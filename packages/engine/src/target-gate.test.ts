import { describe, expect, it } from 'vitest';
import { TargetGate } from './target-gate.js';

const target = (concurrency?: number) => ({ name: 'pg', driver: 'postgres', labels: {}, config: {}, ...(concurrency === undefined ? {} : { concurrency }) });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TargetGate', () => {
  it('runs at most target.concurrency at once and queues the rest in order', async () => {
    const gate = new TargetGate();
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => deferred());
    const runs = gates.map((g, i) => gate.run(target(2), async () => { started.push(i); await g.promise; return i; }));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(gate.running('pg')).toBe(2);
    gates[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((g) => g.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(gate.running('pg')).toBe(0);
  });

  it('frees the slot when the work throws', async () => {
    const gate = new TargetGate();
    await expect(gate.run(target(1), async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await gate.run(target(1), async () => 'next')).toBe('next');
  });

  it('does not limit a target without concurrency', async () => {
    const gate = new TargetGate();
    let active = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 10 }, () => gate.run(target(), async () => { active++; peak = Math.max(peak, active); await new Promise((r) => setImmediate(r)); active--; })));
    expect(peak).toBe(10);
  });
});
