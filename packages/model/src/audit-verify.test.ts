import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH, auditCheckpointMessage, auditKeyId, auditRecordHash, auditRecordMessage,
  type AuditCheckpoint, type AuditEntry, type AuditKey, type AuditRecord,
} from './audit.js';
import { AuditVerifier, trustedAuditKeys, type AuditVerification } from './audit-verify.js';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'jwk' }).x!;
  const key: AuditKey = { id: auditKeyId(raw), algorithm: 'ed25519', publicKey: raw };
  const signText = (text: string) => sign(null, Buffer.from(text), privateKey).toString('base64url');
  return { key, signText };
}

const paved = keyPair();

function chain(length: number, signer = paved): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const entry: AuditEntry = { at: `2026-06-01T10:00:${String(seq).padStart(2, '0')}.000Z`, stage: 'recorded', actor: 'ann', action: `act-${seq}` };
    const hash = auditRecordHash(prevHash, entry);
    records.push({ ...entry, seq, prevHash, hash, keyId: signer.key.id, signature: signer.signText(auditRecordMessage(hash)) });
    prevHash = hash;
  }
  return records;
}

function checkpointOf(record: AuditRecord, signer = paved): AuditCheckpoint {
  const body = { seq: record.seq, hash: record.hash, at: '2026-06-01T11:00:00.000Z' };
  return { ...body, keyId: signer.key.id, signature: signer.signText(auditCheckpointMessage(body)) };
}

/** Feeds an export as JSON lines, the way the CLI reads a file. */
function verify(records: AuditRecord[], options: { checkpoints?: AuditCheckpoint[]; trusted?: AuditCheckpoint[]; team?: string } = {}): AuditVerification {
  const verifier = new AuditVerifier({ keys: [paved.key], trusted: options.trusted ?? [] });
  const lines = [
    JSON.stringify({ type: 'header', format: 'paved-audit', version: 1, exportedAt: 'now', ...(options.team ? { team: options.team } : {}) }),
    ...(options.checkpoints ?? []).map((c) => JSON.stringify({ type: 'checkpoint', ...c })),
    ...records.map((r) => JSON.stringify({ type: 'record', ...r })),
  ];
  lines.forEach((line, i) => verifier.line(line, i + 1));
  return verifier.finish();
}

const kinds = (result: AuditVerification) => result.problems.map((p) => `${p.kind}@${p.seq ?? '-'}`);

describe('auditRecordHash', () => {
  it('keeps the hash stored records were sealed with (sha256 of the previous hash and the canonical entry)', () => {
    // Fixed on purpose: every stored record is checked against this value, so a rewrite of the
    // hashing (for speed, say: bench/README.md §1, round 16b) must give the same one.
    const entry: AuditEntry = { at: '2026-06-01T10:00:01.000Z', stage: 'recorded', actor: 'ann', action: 'createInstance', team: 'pay', target: { team: 'pay', instance: 'i1' }, summary: { plan: 'small', name: 'c' } };
    expect(auditRecordHash(AUDIT_GENESIS_HASH, entry)).toBe('a6700712facbc7b66b1de438190af368d20053d48f70f1465170d2eb492fa010');
  });
});

describe('AuditVerifier', () => {
  it('accepts an untouched chain and reports its newest checkpoint', () => {
    const records = chain(6);
    const result = verify(records, { checkpoints: [checkpointOf(records[3]!)] });
    expect(result).toMatchObject({ problems: [], records: 6, firstSeq: 1, lastSeq: 6, checkpoints: 1, partial: false });
    expect(result.head?.seq).toBe(4);
  });

  it('names a modified record, and one whose hash was recomputed without the key', () => {
    const edited = chain(5);
    edited[2] = { ...edited[2]!, actor: 'mallory' };
    expect(kinds(verify(edited))).toEqual(['modified@3']);

    const rehashed = chain(5);
    const forged = { ...rehashed[2]!, actor: 'mallory' };
    forged.hash = auditRecordHash(forged.prevHash, { at: forged.at, stage: forged.stage, actor: forged.actor, action: forged.action });
    rehashed[2] = forged;
    const result = verify(rehashed);
    expect(kinds(result)).toEqual(['modified@3', 'deleted@4']);
    expect(result.problems[0]!.message).toContain('not signed by Paved');
  });

  it('names a deleted record by the gap, and a deletion hidden by renumbering by the broken link', () => {
    const records = chain(5);
    const gap = verify([...records.slice(0, 2), ...records.slice(3)]);
    expect(kinds(gap)).toEqual(['deleted@4']);
    expect(gap.problems[0]!.message).toContain('seq 3 is missing');

    const renumbered = [...records.slice(0, 2), ...records.slice(3).map((r) => ({ ...r, seq: r.seq - 1 }))];
    expect(kinds(verify(renumbered))).toEqual(['deleted@3']);
    expect(kinds(verify(records.slice(2)))).toEqual(['deleted@3']);
  });

  it('names reordered records, whether the lines or the rows were swapped', () => {
    const records = chain(5);
    const lines = [records[0]!, records[2]!, records[1]!, records[3]!, records[4]!];
    expect(kinds(verify(lines))).toEqual(['reordered@2', 'reordered@3', 'reordered@4']);

    // Rows swapped in the database: each keeps its seq, the records trade places.
    const rows = chain(5);
    const second = rows[1]!;
    const third = rows[2]!;
    rows[1] = { ...third, seq: 2 };
    rows[2] = { ...second, seq: 3 };
    const result = verify(rows);
    expect(new Set(result.problems.map((p) => p.kind))).toEqual(new Set(['reordered']));
    expect(result.problems[0]!.message).toMatch(/seq 2 comes after seq 1, but its prev-hash is that of seq 3/);
  });

  it('names a truncated tail behind a stored checkpoint or a trusted one', () => {
    const records = chain(6);
    const stored = verify(records.slice(0, 4), { checkpoints: [checkpointOf(records[5]!)] });
    expect(kinds(stored)).toEqual(['truncated@-']);
    expect(stored.problems[0]!.message).toContain('ends at seq 4');

    const trusted = verify(records.slice(0, 4), { trusted: [checkpointOf(records[4]!)] });
    expect(trusted.problems[0]!.message).toMatch(/the trusted checkpoint .* covers seq 5/);
    // The tail may grow after a trusted checkpoint, never shrink behind it or change under it.
    expect(verify(records, { trusted: [checkpointOf(records[4]!)] }).problems).toEqual([]);
    const rewritten = chain(6, keyPair());
    expect(kinds(verify(records, { trusted: [{ ...checkpointOf(records[4]!), hash: rewritten[4]!.hash, signature: '' }] }))).toEqual(['checkpoint@-']);
  });

  it('names a bad checkpoint signature, a checkpoint that does not match, and a key it does not trust', () => {
    const records = chain(4);
    const checkpoint = checkpointOf(records[2]!);
    expect(kinds(verify(records, { checkpoints: [{ ...checkpoint, seq: 4 }] }))).toEqual(['checkpoint@-']);
    expect(verify(records, { checkpoints: [{ ...checkpoint, seq: 4 }] }).problems[0]!.message).toMatch(/^bad checkpoint signature/);
    // The same records signed by another key: each hash is right, the signature is not Paved's.
    const other = chain(4, keyPair());
    expect(kinds(verify([...records.slice(0, 3), other[3]!]))).toEqual(['unknown-key@4']);
  });

  it('checks each record of a one-team export, not the links between them', () => {
    const records = chain(5);
    const result = verify([records[1]!, records[3]!], { team: 'payments', checkpoints: [checkpointOf(records[4]!)] });
    expect(result).toMatchObject({ problems: [], partial: true, records: 2 });
    const edited = { ...records[3]!, action: 'other' };
    expect(kinds(verify([records[1]!, edited], { team: 'payments' }))).toEqual(['modified@4']);
  });

  it('names lines that are not records', () => {
    const verifier = new AuditVerifier({ keys: [paved.key] });
    verifier.line('not json', 1);
    verifier.line('{"type":"record","seq":"x"}', 2);
    verifier.line('', 3);
    expect(verifier.finish().problems.map((p) => p.message)).toEqual(['line 1 is not JSON', 'line 2 is not an audit record, checkpoint or header']);
  });

  it('trusts only keys whose id is their own', () => {
    expect(trustedAuditKeys([paved.key, { ...paved.key, id: 'beef' }])).toEqual([paved.key]);
  });
});
