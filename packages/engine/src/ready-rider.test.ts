import type { DriverContext } from '@paved/driver-api';
import type { RideOutcome } from '@paved/store';
import { eachStore } from '@paved/store/testing';
import { expect, it } from 'vitest';
import { CREDENTIALS } from './outputs.js';
import { makeWorld } from './test-harness.js';

/**
 * An event a watcher of this process wants committed with an instance's Ready (Store.rideOnReady:
 * the create's stream and its reveal's `credentials.revealed`, server/src/instances/stream-reveal.ts):
 * the engine's Ready write names the credentials its pass stored (StatusWrite.shownSecretKeys),
 * so that the rider, asked as the Ready's statement is sent, names exactly what a reveal of
 * the committed instance finds.
 */
eachStore('engine: an event riding on the first Ready', (open) => {
  it("is asked with the names of the outputs and the credentials the pass stored, and on PostgreSQL committed in the Ready's statement right after `instance.ready`", async () => {
    const w = await makeWorld(open);
    const asked: string[][] = [];
    const outcomes: RideOutcome[] = [];
    const epoch = await w.store.authEpoch();
    // Registered while the pass calls the driver, before its Ready.
    const create = async (ctx: DriverContext) => {
      const instance = (await w.store.getInstance(ctx.instance.id))!;
      w.store.rideOnReady?.(instance.id, {
        ask: ({ keys }) => {
          asked.push([...keys]);
          return { event: { kind: 'credentials.revealed', teamId: instance.teamId, instanceId: instance.id, actor: 'rider', data: { instance: instance.name, keys } }, authEpoch: epoch };
        },
        settled: (outcome) => outcomes.push(outcome),
      });
      return w.driver.create(ctx);
    };
    const engine = w.engine({ drivers: { memory: { ...w.driver, create } } });
    engine.start();
    try {
      const created = await w.request('db');
      await w.until(created.id, (instance) => instance?.status.phase === 'Ready');
      const ready = (await w.store.getInstance(created.id))!;
      const credentials = (await w.secrets.get(created.id, CREDENTIALS))!;
      const keys = Object.keys({ ...ready.outputs, ...credentials }).sort();
      expect(Object.keys(credentials).length).toBeGreaterThan(0);
      const kinds = (await w.store.listEvents({ instanceId: created.id })).items.map((event) => event.kind);
      if (w.store.dialect === 'postgres') {
        expect(asked).toEqual([keys]);
        expect(outcomes).toEqual(['appended']);
        expect(kinds.slice(-2)).toEqual(['instance.ready', 'credentials.revealed']);
      } else {
        // SQLite's Ready is not one statement alone: its store takes no rider, nothing is appended.
        expect(w.store.rideOnReady).toBeUndefined();
        expect(asked).toEqual([]);
        expect(kinds).not.toContain('credentials.revealed');
      }
    } finally {
      await engine.stop();
    }
  });
  it("writes the Ready as ever when a rider's ask throws: a watcher's failure is not the engine's", async () => {
    const w = await makeWorld(open);
    const settled: RideOutcome[] = [];
    const create = async (ctx: DriverContext) => {
      w.store.rideOnReady?.(ctx.instance.id, {
        ask: () => { throw new Error('a watcher that failed'); },
        settled: (outcome) => settled.push(outcome),
      });
      return w.driver.create(ctx);
    };
    // The pass observes once before it creates (the memory driver does not create unobserved);
    // a pass failed by the throw would be run again and observe a second time.
    let observed = 0;
    const observe = (ctx: DriverContext) => {
      observed += 1;
      return w.driver.observe(ctx);
    };
    const engine = w.engine({ drivers: { memory: { ...w.driver, create, observe } } });
    engine.start();
    try {
      const created = await w.request('db');
      const ready = await w.until(created.id, (instance) => instance?.status.phase === 'Ready');
      expect(ready?.status.phase).toBe('Ready');
      expect(settled).toEqual([]);
      expect(observed).toBe(1);
      const kinds = (await w.store.listEvents({ instanceId: created.id })).items.map((event) => event.kind);
      expect(kinds).toContain('instance.ready');
      expect(kinds).not.toContain('credentials.revealed');
    } finally {
      await engine.stop();
    }
  });
});
