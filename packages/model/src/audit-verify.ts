import type { KeyObject } from 'node:crypto';
import {
  AUDIT_GENESIS_HASH, auditCheckpointMessage, auditEntryOf, auditKeyId, auditPublicKeyObject, auditRecordHash, auditRecordMessage,
  verifyAuditSignature, type AuditCheckpoint, type AuditExportHeader, type AuditKey, type AuditRecord,
} from './audit.js';

/**
 * Checks an audit export (docs/audit.md "Verifying") line by line, holding only each record's
 * seq and hash, and names every problem it finds:
 *
 * - modified: a record's content does not match its hash, or its hash is not signed by a
 *   trusted key (it was recomputed after an edit);
 * - deleted: seq numbers jump, or a record follows a hash that is nowhere in the log;
 * - reordered: a record follows a hash that is in the log, but not the one just before it;
 * - truncated: a checkpoint covers records past the end of the log;
 * - checkpoint: a checkpoint's signature is bad, or the record at its seq is not the one it signed.
 */

export type AuditProblemKind = 'malformed' | 'modified' | 'deleted' | 'reordered' | 'truncated' | 'checkpoint' | 'unknown-key';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The record the problem is found at, when there is one. */
  seq?: number;
  message: string;
}

export interface AuditVerification {
  problems: AuditProblem[];
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  /** Checkpoints with a good signature that were compared with the log. */
  checkpoints: number;
  /** A one-team export: each record was checked, the links between them could not be. */
  partial: boolean;
  /** The newest checkpoint with a good signature (the one to trust next time). */
  head?: AuditCheckpoint;
}

export interface AuditVerifierOptions {
  /** The public keys to trust. */
  keys: readonly AuditKey[];
  /** Checkpoints trusted from elsewhere (the head of an earlier export). */
  trusted?: readonly AuditCheckpoint[];
}

interface LinkBreak {
  seq: number;
  prevHash: string;
  /** The seq of the record just before it in the export, if any. */
  afterSeq: number | undefined;
}

export class AuditVerifier {
  private readonly keys = new Map<string, KeyObject>();
  private readonly problems: AuditProblem[] = [];
  /** hash → seq and seq → hash of every record read: links and checkpoints are resolved at the end. */
  private readonly seqByHash = new Map<string, number>();
  private readonly hashBySeq = new Map<number, string>();
  private readonly breaks: LinkBreak[] = [];
  private readonly checkpoints: { checkpoint: AuditCheckpoint; trusted: boolean }[] = [];
  private header: AuditExportHeader | undefined;
  private last: { seq: number; hash: string } | undefined;
  private first: number | undefined;
  private count = 0;

  constructor(options: AuditVerifierOptions) {
    for (const key of options.keys) this.keys.set(key.id, auditPublicKeyObject(key.publicKey));
    for (const checkpoint of options.trusted ?? []) this.checkpoint(checkpoint, true);
  }

  /** One line of an export; `lineNo` (from 1) names it in problems. Blank lines are ignored. */
  line(text: string, lineNo: number): void {
    if (text.trim() === '') return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.problem('malformed', `line ${lineNo} is not JSON`);
      return;
    }
    if (value.type === 'header') this.header = value as unknown as AuditExportHeader;
    else if (value.type === 'record' && isRecord(value)) this.record(value);
    else if (value.type === 'checkpoint' && isCheckpoint(value)) this.checkpoint(value, false);
    else this.problem('malformed', `line ${lineNo} is not an audit record, checkpoint or header`);
  }

  record(record: AuditRecord): void {
    const { seq } = record;
    this.count += 1;
    this.first ??= seq;
    if (auditRecordHash(record.prevHash, auditEntryOf(record)) !== record.hash) {
      this.problem('modified', `modified record: seq ${seq}'s content does not match its hash`, seq);
    } else {
      const key = this.keys.get(record.keyId);
      if (!key) this.problem('unknown-key', `seq ${seq} is signed with key ${record.keyId}, which is not a key you trust`, seq);
      else if (!verifyAuditSignature(key, auditRecordMessage(record.hash), record.signature)) {
        this.problem('modified', `modified record: seq ${seq}'s hash is not signed by Paved's key (it was recomputed after an edit)`, seq);
      }
    }
    if (!this.partial) this.link(record);
    this.seqByHash.set(record.hash, seq);
    this.hashBySeq.set(seq, record.hash);
    this.last = { seq, hash: record.hash };
  }

  checkpoint(checkpoint: AuditCheckpoint, trusted: boolean): void {
    const key = this.keys.get(checkpoint.keyId);
    const from = trusted ? 'the trusted checkpoint' : 'the checkpoint';
    if (!key) {
      this.problem('unknown-key', `${from} at seq ${checkpoint.seq} is signed with key ${checkpoint.keyId}, which is not a key you trust`);
    } else if (!verifyAuditSignature(key, auditCheckpointMessage(checkpoint), checkpoint.signature)) {
      this.problem('checkpoint', `bad checkpoint signature: ${from} at seq ${checkpoint.seq} (${checkpoint.at}) is not signed by Paved's key`);
    } else {
      this.checkpoints.push({ checkpoint, trusted });
    }
  }

  finish(): AuditVerification {
    if (!this.partial) {
      this.resolveBreaks();
      this.compareCheckpoints();
    }
    const head = this.checkpoints.map((c) => c.checkpoint).sort((a, b) => b.seq - a.seq)[0];
    return {
      problems: [...this.problems].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity)),
      records: this.count,
      ...(this.first === undefined ? {} : { firstSeq: this.first }),
      ...(this.last === undefined ? {} : { lastSeq: this.last.seq }),
      checkpoints: this.partial ? 0 : this.checkpoints.length,
      partial: this.partial,
      ...(head ? { head } : {}),
    };
  }

  private get partial(): boolean {
    return this.header?.team !== undefined;
  }

  private link(record: AuditRecord): void {
    const { seq } = record;
    if (this.last === undefined) {
      // The first record: seq 1 follows the genesis hash; an incremental export starts after `after`.
      const start = (this.header?.after ?? 0) + 1;
      if (seq === 1 && record.prevHash !== AUDIT_GENESIS_HASH) this.breaks.push({ seq, prevHash: record.prevHash, afterSeq: undefined });
      else if (seq > start) this.problem('deleted', `deleted records: ${range(start, seq - 1)} missing before the first record`, seq);
      return;
    }
    if (record.prevHash !== this.last.hash) this.breaks.push({ seq, prevHash: record.prevHash, afterSeq: this.last.seq });
    else if (seq !== this.last.seq + 1) this.problem('modified', `modified record: seq ${seq} directly follows seq ${this.last.seq} (its seq number was changed)`, seq);
  }

  /** A broken link names the record it should follow: elsewhere in the log (reordered) or nowhere (deleted). */
  private resolveBreaks(): void {
    for (const { seq, prevHash, afterSeq } of this.breaks) {
      const follows = this.seqByHash.get(prevHash);
      if (follows !== undefined && follows !== afterSeq) {
        const where = afterSeq === undefined ? 'is first' : `comes after seq ${afterSeq}`;
        this.problem('reordered', `reordered records: seq ${seq} ${where}, but its prev-hash is that of seq ${follows}`, seq);
      } else if (afterSeq !== undefined && seq > afterSeq + 1) {
        this.problem('deleted', `deleted records: ${range(afterSeq + 1, seq - 1)} missing (gap before seq ${seq})`, seq);
      } else {
        this.problem('deleted', `deleted record: the record seq ${seq} follows is not in the log (prev-hash mismatch${afterSeq === undefined ? '' : ` after seq ${afterSeq}`})`, seq);
      }
    }
  }

  private compareCheckpoints(): void {
    const lastSeq = this.last?.seq ?? this.header?.after ?? 0;
    const beyond = this.checkpoints.filter(({ checkpoint }) => checkpoint.seq > lastSeq).sort((a, b) => b.checkpoint.seq - a.checkpoint.seq)[0];
    if (beyond) {
      const { checkpoint, trusted } = beyond;
      this.problem('truncated', `truncated tail: the log ends at seq ${lastSeq}, but ${trusted ? 'the trusted checkpoint' : 'a checkpoint'} signed at ${checkpoint.at} covers seq ${checkpoint.seq} (records after seq ${lastSeq} were removed)`);
    }
    for (const { checkpoint, trusted } of this.checkpoints) {
      const hash = this.hashBySeq.get(checkpoint.seq);
      if (hash !== undefined && hash !== checkpoint.hash) {
        this.problem('checkpoint', `the record at seq ${checkpoint.seq} is not the one ${trusted ? 'the trusted checkpoint' : 'the checkpoint'} signed at ${checkpoint.at} covers (the log was rewritten up to there)`, checkpoint.seq);
      }
    }
  }

  private problem(kind: AuditProblemKind, message: string, seq?: number): void {
    this.problems.push({ kind, message, ...(seq === undefined ? {} : { seq }) });
  }
}

/** The keys a verifier trusts, checked: each key's id must be the id of its public key. */
export function trustedAuditKeys(keys: readonly AuditKey[]): AuditKey[] {
  return keys.filter((key) => key.algorithm === 'ed25519' && auditKeyId(key.publicKey) === key.id);
}

function range(from: number, to: number): string {
  return from === to ? `seq ${from} is` : `seq ${from}–${to} are`;
}

function isRecord(value: Record<string, unknown>): value is Record<string, unknown> & AuditRecord {
  return Number.isInteger(value.seq) && typeof value.prevHash === 'string' && typeof value.hash === 'string'
    && typeof value.keyId === 'string' && typeof value.signature === 'string' && typeof value.action === 'string';
}

function isCheckpoint(value: Record<string, unknown>): value is Record<string, unknown> & AuditCheckpoint {
  return Number.isInteger(value.seq) && typeof value.hash === 'string' && typeof value.at === 'string'
    && typeof value.keyId === 'string' && typeof value.signature === 'string';
}
