import { expect, it } from 'vitest';
import { currentSnapshots } from './postgres-snapshots.js';

/** A snapshot read that answers only when told to, numbered in the order reads were sent. */
function controlledReads() {
  const pending: Array<(value: string) => void> = [];
  let sent = 0;
  const read = () => new Promise<string>((resolve) => {
    const n = ++sent;
    pending.push(() => resolve(`snapshot ${n}`));
  });
  return { read, sent: () => sent, answerNext: () => pending.shift()!('') };
}

it('answers a caller with a read sent after it asked, one out at a time, shared by those who wait', async () => {
  const reads = controlledReads();
  const snapshot = currentSnapshots(reads.read);
  const first = snapshot();
  // Asked while the first read is out: it may have been taken before they asked, so they share the next.
  const second = snapshot();
  const third = snapshot();
  expect(reads.sent()).toBe(1);
  reads.answerNext();
  expect(await first).toBe('snapshot 1');
  await Promise.resolve();
  expect(reads.sent()).toBe(2);
  const fourth = snapshot();
  reads.answerNext();
  expect([await second, await third]).toEqual(['snapshot 2', 'snapshot 2']);
  expect(reads.sent()).toBe(3);
  reads.answerNext();
  expect(await fourth).toBe('snapshot 3');
  // Nothing out: the next caller sends at once.
  const fifth = snapshot();
  expect(reads.sent()).toBe(4);
  reads.answerNext();
  expect(await fifth).toBe('snapshot 4');
});

it('answers undefined (read from the database) when the snapshot cannot be read', async () => {
  const snapshot = currentSnapshots(() => Promise.reject(new Error('connection lost')));
  expect(await snapshot()).toBeUndefined();
  expect(await snapshot()).toBeUndefined();
});
