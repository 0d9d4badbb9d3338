import { describe, expect, it } from 'vitest';
import { createTargetClients, readOnce, readUntil, type Target } from './index.js';

const target = (name: string, config: Record<string, unknown>): Target => ({ name, driver: 'x', labels: {}, config });

describe('createTargetClients', () => {
  it('opens one client per target and config, and closes each once', async () => {
    const log: string[] = [];
    let opened = 0;
    const clients = createTargetClients({
      open: (t) => ({ id: (opened += 1), url: String(t.config.url) }),
      close: (client) => void log.push(`close ${client.id}`),
    });
    const a = clients.forTarget(target('a', { url: 'u1' }));
    expect(clients.forTarget(target('a', { url: 'u1' }))).toBe(a);
    // Another target, or the same one with a changed config, gets a client of its own.
    expect(clients.forTarget(target('b', { url: 'u1' }))).not.toBe(a);
    const changed = clients.forTarget(target('a', { url: 'u1', host: 'public' }));
    expect(changed).not.toBe(a);
    await clients.closeAll();
    expect(log.sort()).toEqual(['close 1', 'close 2', 'close 3']);
    // Forgotten: the next call opens afresh.
    expect(clients.forTarget(target('a', { url: 'u1' })).id).toBe(4);
  });

  it('lets a config error through and keeps nothing for it', () => {
    let calls = 0;
    const clients = createTargetClients<number>({
      open: () => {
        calls += 1;
        throw new Error('config.url is required');
      },
      close: () => {},
    });
    expect(() => clients.forTarget(target('a', {}))).toThrow('config.url is required');
    expect(() => clients.forTarget(target('a', {}))).toThrow('config.url is required');
    expect(calls).toBe(2);
  });

  it('closes every client even when one fails to close', async () => {
    const closed: number[] = [];
    const clients = createTargetClients<number>({
      open: (t) => Number(t.name),
      close: async (n) => {
        if (n === 1) throw new Error('connection already lost');
        closed.push(n);
      },
    });
    clients.forTarget(target('1', {}));
    clients.forTarget(target('2', {}));
    await clients.closeAll();
    expect(closed).toEqual([2]);
  });
});

describe('readOnce', () => {
  it('reads once and hands the same value to every caller', async () => {
    let reads = 0;
    const version = readOnce(async () => `v${(reads += 1)}`);
    expect(await Promise.all([version(), version()])).toEqual(['v1', 'v1']);
    expect(await version()).toBe('v1');
    expect(reads).toBe(1);
  });

  it('does not keep a failure: the next call reads again', async () => {
    let reads = 0;
    const version = readOnce(async () => {
      reads += 1;
      if (reads === 1) throw new Error('server down');
      return 'v2';
    });
    await expect(version()).rejects.toThrow('server down');
    await expect(version()).resolves.toBe('v2');
  });
});

describe('readUntil', () => {
  it('reads again until a result is settled, then keeps that one; failures are not kept', async () => {
    const answers = ['open', 'boom', 'closed', 'reopened'];
    let reads = 0;
    const state = readUntil(async () => {
      const answer = answers[reads++]!;
      if (answer === 'boom') throw new Error('server down');
      return answer;
    }, (value) => value === 'closed');
    expect(await state()).toBe('open');
    await expect(state()).rejects.toThrow('server down');
    expect(await state()).toBe('closed');
    expect(await state()).toBe('closed');
    expect(reads).toBe(3);
  });
});
