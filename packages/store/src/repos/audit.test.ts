import { generateKeyPairSync, sign } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH, AuditVerifier, auditEntryOf, auditKeyId, auditRecordHash, auditRecordMessage, type AuditEntry, type AuditKey,
} from '@paved/model';
import pg from 'pg';
import { databaseUrlOf, eachStore, openAnother } from '../testing.js';
import type { AuditSealer, Store } from '../types.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const raw = publicKey.export({ format: 'jwk' }).x!;
const key: AuditKey = { id: auditKeyId(raw), algorithm: 'ed25519', publicKey: raw };

/** What the server's sealer does, with a test key. */
const seal: AuditSealer = ({ prevHash, entry }) => {
  const hash = auditRecordHash(prevHash, entry);
  return { hash, keyId: key.id, signature: sign(null, Buffer.from(auditRecordMessage(hash)), privateKey).toString('base64url') };
};

const entry = (over: Partial<AuditEntry> = {}): Omit<AuditEntry, 'at'> => ({ stage: 'recorded', actor: 'ann', action: 'token.issue', ...over });

async function everyRecord(store: Store) {
  return store.readAuditRecords({ afterSeq: 0, limit: 10_000 });
}

eachStore('audit log', (open) => {
  it('keeps concurrent appends, from two store objects, in one chain that verifies', async () => {
    const store = await open();
    // On SQLite two Store objects of one file in one process would block each other's thread (testing.ts).
    const other = store.dialect === 'postgres' ? await openAnother(store) : store;
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).appendAuditRecord(entry({ actor: `user-${i}` }), seal)));

    const records = await everyRecord(store);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.actor)).size).toBe(40);
    expect(records[0]!.prevHash).toBe(AUDIT_GENESIS_HASH);
    records.slice(1).forEach((record, i) => expect(record.prevHash).toBe(records[i]!.hash));
    expect(await store.auditHead()).toEqual({ seq: 40, hash: records.at(-1)!.hash });

    const verifier = new AuditVerifier({ keys: [key] });
    for (const record of records) verifier.record(record);
    expect(verifier.finish()).toMatchObject({ problems: [], records: 40, firstSeq: 1, lastSeq: 40 });
  });

  it('keeps appends that shared a commit with a failing one, each once, in a chain that verifies', async () => {
    // On SQLite appends started together share one commit and run without savepoints
    // (audit.ts): one that fails rolls the commit back and the others run again, sealed anew.
    const store = await open();
    const refusing: AuditSealer = (input) => {
      if (input.entry.actor === 'user-3') throw new Error('cannot seal this one');
      return seal(input);
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.appendAuditRecord(entry({ actor: `user-${i}` }), refusing)));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const records = await everyRecord(store);
    expect(records.map((r) => [r.seq, r.actor])).toEqual(['user-0', 'user-1', 'user-2', 'user-4', 'user-5'].map((actor, i) => [i + 1, actor]));
    // What each caller was given is what was kept.
    expect(outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.hash] : []))).toEqual(records.map((r) => r.hash));
    expect(await store.auditHead()).toEqual({ seq: 5, hash: records.at(-1)!.hash });
    const verifier = new AuditVerifier({ keys: [key] });
    for (const record of records) verifier.record(record);
    expect(verifier.finish()).toMatchObject({ problems: [], records: 5 });
  });

  it('follows a head another store object moved since its own last append', async () => {
    // On PostgreSQL a store appends after the head its last append left, in one statement
    // (audit.ts): when another writer moved the head in between, that statement writes nothing
    // and the append takes the head's lock instead.
    const store = await open();
    const other = store.dialect === 'postgres' ? await openAnother(store) : store;
    const order = [store, store, other, store, other, other, store, store];
    for (const [i, writer] of order.entries()) await writer.appendAuditRecord(entry({ actor: `user-${i}` }), seal);

    const records = await everyRecord(store);
    expect(records.map((r) => [r.seq, r.actor])).toEqual(order.map((_, i) => [i + 1, `user-${i}`]));
    records.slice(1).forEach((record, i) => expect(record.prevHash).toBe(records[i]!.hash));
    expect(await other.auditHead()).toEqual({ seq: order.length, hash: records.at(-1)!.hash });
    const verifier = new AuditVerifier({ keys: [key] });
    for (const record of records) verifier.record(record);
    expect(verifier.finish()).toMatchObject({ problems: [], records: order.length });
  });

  it('writes the appends asked for together in one commit on PostgreSQL, after its own head and after one another writer moved', async () => {
    // audit.ts: a store's appends asked for in one turn (a create's stream asks for two) go in
    // one statement; when another writer moved the head since, in one transaction under its lock.
    const store = await open();
    if (store.dialect !== 'postgres') return;
    const other = await openAnother(store);
    const together = (from: number) => Promise.all([0, 1, 2].map((i) => store.appendAuditRecord(entry({ actor: `user-${from + i}` }), seal)));
    await store.appendAuditRecord(entry({ actor: 'user-0' }), seal);
    const after = await together(1); // after the head this store left
    await other.appendAuditRecord(entry({ actor: 'user-4' }), seal);
    const followed = await together(5); // after the head the other moved
    expect(after.map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(followed.map((r) => r.seq)).toEqual([6, 7, 8]);

    const records = await everyRecord(store);
    expect(records.map((r) => [r.seq, r.actor])).toEqual(Array.from({ length: 8 }, (_, i) => [i + 1, `user-${i}`]));
    // `at` never goes backwards along the chain.
    records.slice(1).forEach((record, i) => expect(record.at >= records[i]!.at).toBe(true));
    const verifier = new AuditVerifier({ keys: [key] });
    for (const record of records) verifier.record(record);
    expect(verifier.finish()).toMatchObject({ problems: [], records: 8 });
    expect(await store.auditHead()).toEqual({ seq: 8, hash: records.at(-1)!.hash });

    // The transaction that wrote each record: one for each batch of three.
    const client = new pg.Client({ connectionString: databaseUrlOf(store) });
    await client.connect();
    try {
      const { rows } = await client.query<{ seq: string; xmin: string }>('select seq, xmin::text from audit_log order by seq');
      const writer = rows.map((row) => row.xmin);
      expect(new Set(writer.slice(1, 4)).size).toBe(1);
      expect(new Set(writer.slice(5, 8)).size).toBe(1);
      expect(new Set(writer).size).toBe(4);
    } finally {
      await client.end();
    }
  });

  it('gives back every part of a record exactly as it was hashed', async () => {
    const store = await open();
    const appended = await store.appendAuditRecord(entry({
      stage: 'completed',
      requestId: 'req-1',
      tokenId: 'tok-1',
      action: 'createInstance',
      team: 'payments',
      target: { team: 'payments', instance: 'orders-db' },
      outcome: { result: 'refused', status: 403, code: 'role_insufficient' },
      source: { address: '10.1.2.3', userAgent: 'paved-cli/0.1.0 (ünïcode)', interface: 'cli' },
      summary: { product: 'postgres', plan: 'small', inputKeys: ['extensions'], empty: {} },
    }), seal);
    const [read] = await everyRecord(store);
    expect(read).toEqual(appended);
    expect(auditRecordHash(read!.prevHash, auditEntryOf(read!))).toBe(read!.hash);
  });

  it('lists newest first, by actor, action, team and time, one line per request, page by page', async () => {
    let now = Date.parse('2026-06-01T10:00:00Z');
    const store = await open({ now: () => now });
    const add = async (over: Partial<AuditEntry>) => {
      now += 60_000;
      return store.appendAuditRecord(entry(over), seal);
    };
    await add({ stage: 'received', requestId: 'r1', actor: 'ann', action: 'createInstance', team: 'payments' });
    await add({ stage: 'completed', requestId: 'r1', actor: 'ann', action: 'createInstance', team: 'payments', outcome: { result: 'allowed', status: 202 } });
    await add({ stage: 'received', requestId: 'r2', actor: 'bob', action: 'deleteInstance', team: 'search' });
    await add({ stage: 'completed', requestId: 'r3', actor: 'anonymous', action: 'createTeam', outcome: { result: 'refused', status: 401, code: 'token_missing' } });
    await add({ stage: 'recorded', actor: 'ann', action: 'token.issue', team: 'payments' });

    const all = await store.listAuditRecords({});
    // r1's received record is answered by its completed one; r2's is not (the request never finished).
    expect(all.items.map((r) => r.seq)).toEqual([5, 4, 3, 2]);
    expect((await store.listAuditRecords({ actor: 'ann' })).items.map((r) => r.seq)).toEqual([5, 2]);
    expect((await store.listAuditRecords({ action: 'deleteInstance' })).items.map((r) => r.seq)).toEqual([3]);
    expect((await store.listAuditRecords({ teams: ['payments'] })).items.map((r) => r.seq)).toEqual([5, 2]);
    expect((await store.listAuditRecords({ teams: [] })).items).toEqual([]);
    expect((await store.listAuditRecords({ since: '2026-06-01T10:03:00.000Z', until: '2026-06-01T10:05:00.000Z' })).items.map((r) => r.seq)).toEqual([4, 3]);

    const first = await store.listAuditRecords({ limit: 3 });
    expect(first.items.map((r) => r.seq)).toEqual([5, 4, 3]);
    const second = await store.listAuditRecords({ limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.seq)).toEqual([2]);
    expect(second.nextCursor).toBeUndefined();
    await expect(store.listAuditRecords({ cursor: 'nope' })).rejects.toMatchObject({ code: 'cursor_invalid' });

    expect((await store.readAuditRecords({ afterSeq: 2, limit: 2 })).map((r) => r.seq)).toEqual([3, 4]);
    expect((await store.readAuditRecords({ afterSeq: 0, limit: 10, team: 'payments' })).map((r) => r.seq)).toEqual([1, 2, 5]);
  });

  it('stores one checkpoint per seq', async () => {
    const store = await open();
    const checkpoint = { seq: 3, hash: 'a'.repeat(64), at: '2026-06-01T10:00:00.000Z', keyId: key.id, signature: 'sig' };
    expect(await store.putAuditCheckpoint(checkpoint)).toBe(true);
    expect(await store.putAuditCheckpoint({ ...checkpoint, at: '2026-06-01T11:00:00.000Z' })).toBe(false);
    expect(await store.putAuditCheckpoint({ ...checkpoint, seq: 1 })).toBe(true);
    expect(await store.listAuditCheckpoints()).toEqual([{ ...checkpoint, seq: 1 }, checkpoint]);
    expect(await store.auditHead()).toEqual({ seq: 0, hash: AUDIT_GENESIS_HASH });
  });
});
