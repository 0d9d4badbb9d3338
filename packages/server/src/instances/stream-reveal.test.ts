import { describe, expect, it, vi } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { Credentials, Instance } from '@paved/model';
import type { Principal } from '../access/principal.js';
import { streamReveal, type StreamRevealDeps } from './stream-reveal.js';
import type { InstanceService, InstanceWatchEvent, WatchedReveal } from './service.js';

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const instanceIn = (phase: string): Instance => ({ id: 'i1', name: 'db', status: { phase } } as unknown as Instance);

/** The reveal's collaborators, faked: what it asks the service for, and what it records. */
function fakes() {
  const asked: Array<{ caller: Principal | Promise<Principal>; watched: Instance | WatchedReveal | undefined }> = [];
  const revealCredentials = async (caller: Principal | Promise<Principal>, team: string, name: string, watched?: Instance | WatchedReveal): Promise<Credentials> => {
    asked.push({ caller, watched });
    await caller;
    const instance = watched !== undefined && 'read' in watched ? await watched.read : watched;
    return { instance: name, team, values: { phase: instance!.status.phase } };
  };
  const completed = vi.fn(async () => {});
  const deps: StreamRevealDeps = {
    instances: { revealCredentials } as unknown as InstanceService,
    reauthenticate: vi.fn(async () => ({ user: { name: 'ann' } } as unknown as Principal)),
    record: async () => ({ completed }),
  };
  const request = { log: { warn: vi.fn() } } as unknown as FastifyRequest;
  const delivered: Array<{ event: InstanceWatchEvent; credentials?: Credentials }> = [];
  const deliver = (event: InstanceWatchEvent, credentials?: Credentials) => { delivered.push({ event, ...(credentials ? { credentials } : {}) }); };
  return { asked, completed, deps, request, delivered, deliver };
}

describe('a reveal stream (stream-reveal.ts)', () => {
  it('starts the reveal at a change the store says made the instance Ready, and reveals with the Ready status read after it', async () => {
    const f = fakes();
    const reveal = await streamReveal(f.deps, f.request, 'alpha', 'db');
    const send = reveal.sender(f.deliver, () => true);
    send({ type: 'changed', instanceId: 'i1', phase: 'Ready' });
    // Before the status is read: the caller is verified again and the service asked, with the state to come.
    expect(f.deps.reauthenticate).toHaveBeenCalledTimes(1);
    expect(f.asked).toHaveLength(1);
    expect(f.asked[0]!.watched).toMatchObject({ instanceId: 'i1' });
    await settle();
    expect(f.delivered).toEqual([]);
    expect(f.completed).not.toHaveBeenCalled();
    send({ type: 'status', instance: instanceIn('Ready') });
    await settle();
    expect(f.delivered).toEqual([{ event: { type: 'status', instance: instanceIn('Ready') }, credentials: { instance: 'db', team: 'alpha', values: { phase: 'Ready' } } }]);
    expect(f.asked).toHaveLength(1);
    expect(f.completed).toHaveBeenCalledTimes(1);
    expect(f.completed).toHaveBeenCalledWith();
  });

  it('drops a reveal started at a change when the status read after it is not Ready; the next Ready status reveals as before', async () => {
    const f = fakes();
    const reveal = await streamReveal(f.deps, f.request, 'alpha', 'db');
    const send = reveal.sender(f.deliver, () => true);
    send({ type: 'changed', instanceId: 'i1', phase: 'Ready' });
    send({ type: 'status', instance: instanceIn('Updating') });
    await settle();
    expect(f.delivered).toEqual([{ event: { type: 'status', instance: instanceIn('Updating') } }]);
    expect(f.completed).not.toHaveBeenCalled();
    // A Ready status with no change told before it (another process's write): verified and revealed after it.
    send({ type: 'status', instance: instanceIn('Ready') });
    await settle();
    expect(f.asked).toHaveLength(2);
    expect(f.asked[1]!.watched).toEqual(instanceIn('Ready'));
    expect(f.delivered[1]).toMatchObject({ credentials: { values: { phase: 'Ready' } } });
    expect(f.completed).toHaveBeenCalledTimes(1);
  });

  it('starts nothing at a change to another phase, or with none said, or once revealed', async () => {
    const f = fakes();
    const reveal = await streamReveal(f.deps, f.request, 'alpha', 'db');
    const send = reveal.sender(f.deliver, () => true);
    send({ type: 'changed', instanceId: 'i1', phase: 'Provisioning' });
    send({ type: 'changed', instanceId: 'i1' });
    expect(f.asked).toHaveLength(0);
    expect(f.deps.reauthenticate).not.toHaveBeenCalled();
    send({ type: 'status', instance: instanceIn('Ready') });
    await settle();
    send({ type: 'changed', instanceId: 'i1', phase: 'Ready' });
    expect(f.asked).toHaveLength(1);
    expect(f.delivered).toHaveLength(1);
  });

  it('records a refusal of the reveal started at the change, and sends the Ready status without credentials', async () => {
    const f = fakes();
    f.deps.reauthenticate = vi.fn(async () => { throw new Error('token revoked'); });
    const reveal = await streamReveal(f.deps, f.request, 'alpha', 'db');
    const send = reveal.sender(f.deliver, () => true);
    send({ type: 'changed', instanceId: 'i1', phase: 'Ready' });
    send({ type: 'status', instance: instanceIn('Ready') });
    await settle();
    await settle();
    expect(f.delivered).toEqual([{ event: { type: 'status', instance: instanceIn('Ready') } }]);
    expect(f.completed).toHaveBeenCalledTimes(1);
    expect(f.completed.mock.calls[0]).toEqual([expect.objectContaining({ message: 'token revoked' })]);
  });
});
