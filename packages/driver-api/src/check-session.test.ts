import { describe, expect, it } from 'vitest';
import { createCheckSession } from './index.js';

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
