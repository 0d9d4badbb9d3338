import { expect, it } from 'vitest';
import { eachStore } from '@paved/store/testing';
import { AuditChain, createAuditSigner } from './chain.js';
import { startAuditCheckpoints } from './checkpoints.js';

const signer = createAuditSigner(Buffer.alloc(32, 9));
const quiet = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} };

eachStore('audit checkpoints', (open) => {
  it('signs the head at start and at stop when it moved, once per head', async () => {
    const store = await open();
    const chain = new AuditChain(store, signer);
    await chain.append({ stage: 'recorded', actor: 'paved', action: 'token.issue' });
    // An hour between runs: only the start and the stop run here.
    const head = await store.auditHead();
    const stop = startAuditCheckpoints({ chain, logger: quiet, intervalMs: 3_600_000 });
    // The start's checkpoint is written in the background: wait for it before the head moves.
    while ((await store.listAuditCheckpoints()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await chain.append({ stage: 'recorded', actor: 'paved', action: 'token.revoke' });
    await stop();
    const checkpoints = await store.listAuditCheckpoints();
    expect(checkpoints.map((c) => c.seq)).toEqual([head.seq, head.seq + 1]);
    expect(checkpoints[0]).toMatchObject({ hash: head.hash, keyId: signer.key.id });
    // Nothing new since: no second checkpoint of the same head.
    expect(await chain.checkpoint()).toBeUndefined();
  });
});
