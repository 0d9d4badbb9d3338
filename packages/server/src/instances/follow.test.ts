import { expect, it } from 'vitest';
import type { Instance } from '@paved/model';
import type { Store } from '@paved/store';
import { followInstance } from './follow.js';
import type { InstanceWatchEvent } from './service.js';

/** A store with one instance and its change listeners, told by hand. */
function fakeStore(instance: Instance) {
  const listeners = new Set<(change: { instanceId: string; teamId: string; phase?: string }) => void>();
  const store = {
    onInstanceChange: (listener: (change: { instanceId: string; teamId: string; phase?: string }) => void) => { listeners.add(listener); return () => listeners.delete(listener); },
    getInstance: async () => instance,
  } as unknown as Store;
  const tell = (change: { instanceId: string; teamId: string; phase?: string }) => { for (const listener of listeners) listener(change); };
  return { store, tell, setInstance: (next: Instance) => { instance = next; } };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const pending = { id: 'i1', updatedAt: 't0', status: { phase: 'Pending' } } as unknown as Instance;
const ready = { id: 'i1', updatedAt: 't1', status: { phase: 'Ready' } } as unknown as Instance;

it('tells a watcher that asked for changes each one before its read, with the phase the store said', async () => {
  const f = fakeStore(pending);
  const events: InstanceWatchEvent[] = [];
  const following = followInstance(f.store, (event) => events.push(event), { changes: true });
  following.start(pending);
  f.setInstance(ready);
  f.tell({ instanceId: 'i1', teamId: 't', phase: 'Ready' });
  f.tell({ instanceId: 'other', teamId: 't', phase: 'Ready' });
  expect(events).toEqual([{ type: 'status', instance: pending }, { type: 'changed', instanceId: 'i1', phase: 'Ready' }]);
  await settle();
  expect(events.at(-1)).toEqual({ type: 'status', instance: ready });
  following.stop();
});

it('tells a watcher that did not ask for changes only the statuses', async () => {
  const f = fakeStore(pending);
  const events: InstanceWatchEvent[] = [];
  const following = followInstance(f.store, (event) => events.push(event));
  following.start(pending);
  f.setInstance(ready);
  f.tell({ instanceId: 'i1', teamId: 't', phase: 'Ready' });
  await settle();
  expect(events).toEqual([{ type: 'status', instance: pending }, { type: 'status', instance: ready }]);
  following.stop();
});
