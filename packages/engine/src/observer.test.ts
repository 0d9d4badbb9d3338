import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { makeWorld } from './test-harness.js';
import type { EngineObserver } from './types.js';

/** An observer that keeps what it is told (the platform's Prometheus metrics are one). */
function recorder() {
  const passes: { product: string; result: string; durationMs: number }[] = [];
  const ready: { product: string; timeToReadyMs: number }[] = [];
  const observer: EngineObserver = { passEnded: (p) => passes.push(p), firstReady: (r) => ready.push(r) };
  return { observer, passes, ready };
}

eachStore('engine: observer', (open) => {
  it('is told how each pass ended and when an instance is first Ready', async () => {
    const world = await makeWorld(open);
    const { observer, passes, ready } = recorder();
    const engine = world.engine({ observer });
    world.driver.failNext('create');
    const { id } = await world.request('db');
    await world.drain(engine);
    // A retryable failure, then Ready 1–2 ms later (the test backoff) on the world's clock.
    expect(passes.map((p) => [p.product, p.result])).toEqual([['kv', 'retrying'], ['kv', 'ready']]);
    expect(ready).toHaveLength(1);
    expect(ready[0]!.product).toBe('kv');
    expect(ready[0]!.timeToReadyMs).toBe(world.clock.now() - Date.parse((await world.store.getInstance(id))!.createdAt));

    // Ready again after a drift check is no new "first Ready"; deletion ends in `deleted`.
    await world.store.requestDeletion(id, 'someone');
    await world.drain(engine);
    expect(passes.at(-1)!.result).toBe('deleted');
    expect(ready).toHaveLength(1);
  });

  it('never lets a failing observer break a pass', async () => {
    const world = await makeWorld(open);
    const engine = world.engine({ observer: { passEnded: () => { throw new Error('boom'); }, firstReady: () => { throw new Error('boom'); } } });
    const { id } = await world.request('db');
    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
  });
});
