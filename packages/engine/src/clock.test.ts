import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { ManualClock } from './test-harness.js';
import { Wakeup } from './wakeup.js';

describe('systemClock', () => {
  it('tells the wall-clock time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('ends a sleep when its signal aborts, and skips one whose signal already did', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, controller.signal);
    controller.abort();
    await sleeping;
    await systemClock.sleep(3_600_000, AbortSignal.abort());
  });
});

describe('ManualClock (tests only)', () => {
  it('wakes sleepers when advanced past their time, not before, earliest first', async () => {
    const clock = new ManualClock(1_000);
    const woken: string[] = [];
    const late = clock.sleep(200).then(() => woken.push('late'));
    const early = clock.sleep(100).then(() => woken.push('early'));
    clock.advance(99);
    expect(clock.sleeping).toBe(2);
    clock.advance(101);
    await Promise.all([late, early]);
    expect(woken).toEqual(['early', 'late']);
    expect(clock.now()).toBe(1_200);
  });

  it('stall moves time without waking anyone until the next advance', async () => {
    const clock = new ManualClock();
    const sleep = clock.sleep(10);
    clock.stall(50);
    expect(clock.sleeping).toBe(1);
    clock.advance(0);
    await sleep;
    expect(clock.sleeping).toBe(0);
  });

  it('ends a sleep on abort and tells when someone sleeps', async () => {
    const clock = new ManualClock();
    const sleeping = clock.whenSleeping(1);
    const controller = new AbortController();
    const sleep = clock.sleep(10, controller.signal);
    await sleeping;
    controller.abort();
    await sleep;
    expect(clock.sleeping).toBe(0);
  });
});

describe('Wakeup', () => {
  it('remembers a ring that came while nobody waited', async () => {
    const clock = new ManualClock();
    const wakeup = new Wakeup(clock);
    wakeup.ring();
    await wakeup.wait(1_000);
    // The ring was used up: the next wait sleeps.
    const next = wakeup.wait(1_000);
    await clock.whenSleeping();
    wakeup.ring();
    await next;
    expect(clock.sleeping).toBe(0);
  });

  it('ends a wait after its time on the clock when nobody rings', async () => {
    const clock = new ManualClock();
    const wait = new Wakeup(clock).wait(500);
    clock.advance(500);
    await wait;
  });
});
