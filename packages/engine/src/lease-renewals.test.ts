import { describe, expect, it } from 'vitest';
import { LeaseRenewals } from './lease-renewals.js';
import { ManualClock } from './test-harness.js';

/** A lease that counts its renewals. */
function lease() {
  const renewed: number[] = [];
  return { renewed, renewal: (clock: ManualClock) => ({ renew: () => renewed.push(clock.now()) }) };
}

const settle = () => new Promise((done) => setImmediate(done));

describe('LeaseRenewals', () => {
  it('renews each lease every period from when it was added, until it is removed', async () => {
    const clock = new ManualClock(0);
    const renewals = new LeaseRenewals(clock, 100);
    const a = lease();
    const b = lease();
    const first = a.renewal(clock);
    renewals.add(first);
    clock.advance(40);
    const second = b.renewal(clock);
    renewals.add(second);
    for (let i = 0; i < 25; i++) {
      clock.advance(10);
      await settle();
    }
    expect(a.renewed).toEqual([100, 200]);
    expect(b.renewed).toEqual([140, 240]);
    renewals.remove(first);
    for (let i = 0; i < 20; i++) {
      clock.advance(10);
      await settle();
    }
    expect(a.renewed).toEqual([100, 200]);
    expect(b.renewed).toEqual([140, 240, 340, 440]);
  });

  it('leaves no sleep behind once the last lease is removed, and starts again on the next', async () => {
    const clock = new ManualClock(0);
    const renewals = new LeaseRenewals(clock, 100);
    const a = lease();
    const only = a.renewal(clock);
    renewals.add(only);
    await settle();
    expect(clock.sleeping).toBe(1);
    renewals.remove(only);
    await settle();
    expect(clock.sleeping).toBe(0);
    renewals.add(only);
    await settle();
    clock.advance(100);
    await settle();
    expect(a.renewed).toEqual([100]);
  });

  it('renews a lease whose renewal is overdue (a stalled process) once, on the next wake-up', async () => {
    const clock = new ManualClock(0);
    const renewals = new LeaseRenewals(clock, 100);
    const a = lease();
    renewals.add(a.renewal(clock));
    await settle();
    clock.stall(350);
    clock.advance(0);
    await settle();
    expect(a.renewed).toEqual([350]);
    clock.advance(100);
    await settle();
    expect(a.renewed).toEqual([350, 450]);
  });
});
