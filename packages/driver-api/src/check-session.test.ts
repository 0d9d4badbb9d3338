import { describe, expect, it } from 'vitest';
import { createCheckSession, withCheckConnection } from './index.js';

describe('createCheckSession', () => {
  it('opens a shared value once, hands it to every check, and closes it once', async () => {
    const session = createCheckSession();
    const log: string[] = [];
    const open = async () => {
      log.push('open');
      return { id: 1 };
    };
    const a = await session.use('tenant', open, () => void log.push('close'));
    const b = await session.use('tenant', open, () => void log.push('close'));
    expect(a).toBe(b);
    await session.close();
    await session.close();
    expect(log).toEqual(['open', 'close']);
  });

  it('does not keep a failed open: the next check tries again', async () => {
    const session = createCheckSession();
    let attempts = 0;
    const open = async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('refused');
      return 'connected';
    };
    await expect(session.use('tenant', open, () => {})).rejects.toThrow('refused');
    await new Promise((resolve) => setImmediate(resolve));
    await expect(session.use('tenant', open, () => {})).resolves.toBe('connected');
    await session.close();
  });
});

describe('withCheckConnection', () => {
  const tracked = () => {
    const log: string[] = [];
    let n = 0;
    const connection = {
      key: 'tenant',
      open: async () => {
        n += 1;
        log.push(`open ${n}`);
        return n;
      },
      close: (c: number) => void log.push(`close ${c}`),
    };
    return { log, connection };
  };

  it('alone, opens a connection for the call and closes it, even when the work fails', async () => {
    const { log, connection } = tracked();
    expect(await withCheckConnection(undefined, undefined, connection, async (c) => c * 10)).toBe(10);
    await expect(withCheckConnection(undefined, undefined, connection, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(log).toEqual(['open 1', 'close 1', 'open 2', 'close 2']);
  });

  it('alone, closes the connection as soon as the signal aborts', async () => {
    const { log, connection } = tracked();
    const controller = new AbortController();
    await withCheckConnection(undefined, controller.signal, connection, async () => {
      controller.abort();
      expect(log).toEqual(['open 1', 'close 1']);
    });
  });

  it('in a session, shares one connection between calls and leaves closing to the session', async () => {
    const { log, connection } = tracked();
    const session = createCheckSession();
    const seen = [await withCheckConnection(session, undefined, connection, async (c) => c), await withCheckConnection(session, undefined, connection, async (c) => c)];
    expect(seen).toEqual([1, 1]);
    expect(log).toEqual(['open 1']);
    await session.close();
    expect(log).toEqual(['open 1', 'close 1']);
  });
});
