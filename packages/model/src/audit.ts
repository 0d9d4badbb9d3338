import type { KeyObject } from 'node:crypto';
import { nodeCrypto } from './lazy-deps.js';
import { canonicalJson } from './manifest-digest.js';

/**
 * The audit log's records and its chain (docs/audit.md). Shared by the server, which appends
 * and signs, and the CLI, which verifies an export without trusting the server's word: so the
 * format and the hashing live here, with the vocabulary, and need no key but a public one.
 *
 *   hash(n)      = SHA-256( hash(n-1) ‖ "\n" ‖ canonical JSON of record n's entry )
 *   signature(n) = Ed25519( "paved-audit/1 record " ‖ hash(n) )
 *
 * The hash does not cover `seq`: a record's place is fixed by the hash it follows, so records
 * moved around show as reordered (their links break) rather than as edited; seq numbers are
 * checked separately for gaps. The key that signs is derived from the master key, which never
 * sits in the database, so write access to the database alone cannot re-forge a record.
 */

/**
 * received: an API request that may change or reveal something, recorded before it is served
 * (a request is never served without its record); completed: its outcome; recorded: an explicit
 * record of a capability (token.issue, token.revoke, signin).
 */
export type AuditStage = 'received' | 'completed' | 'recorded';
/** allowed: 2xx/3xx; refused: 4xx (who was stopped, and why, matters for security); failed: 5xx. */
export type AuditResult = 'allowed' | 'refused' | 'failed';
/** The caller's interface, as the `Paved-Client` header claims it (cli, portal; anything else is api). */
export type AuditInterface = 'cli' | 'portal' | 'api';

export interface AuditOutcome {
  result: AuditResult;
  status: number;
  /** The problem's stable code for a refusal or failure. */
  code?: string;
}

export interface AuditSource {
  /** The client address as the server sees it (honouring PAVED_TRUST_PROXY). */
  address: string;
  userAgent?: string;
  interface: AuditInterface;
}

/** What one record says: everything the hash covers. Never a secret. */
export interface AuditEntry {
  at: string;
  stage: AuditStage;
  /** Ties the records of one API request together (received, recorded…, completed). */
  requestId?: string;
  /** The user, `paved` for the platform itself, `anonymous` for a request without a valid token. */
  actor: string;
  /** The id of the API token the actor used (never the token). */
  tokenId?: string;
  /** The route's operationId (createInstance, revealCredentials…) or a domain verb (token.issue, signin). */
  action: string;
  /** The team the action was for, when it was for one (team owners read their team's records). */
  team?: string;
  /** What was acted on: team, instance, user, product, token id… */
  target?: Record<string, string>;
  /** Absent on a `received` record: the outcome is not known yet. */
  outcome?: AuditOutcome;
  /** Absent for the platform's own actions (`paved up`). */
  source?: AuditSource;
  /** A few fields of the request that are safe to keep; never a token, password or credential. */
  summary?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
  /** Which key signed it (AuditKey.id). */
  keyId: string;
  /** Ed25519 signature, base64url. */
  signature: string;
}

/** A signed statement that the log held `seq` records whose last hash was `hash`, at `at`. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

/** A public key the audit log is signed with. */
export interface AuditKey {
  id: string;
  algorithm: 'ed25519';
  /** The raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
}

/** Filters of `GET /api/v1/audit` and `paved audit`. */
export interface AuditQuery {
  /** ISO 8601 time: records at or after it. */
  since?: string;
  /** ISO 8601 time: records before it. */
  until?: string;
  actor?: string;
  action?: string;
  team?: string;
  cursor?: string;
  limit?: number;
}

/** The first line of an export (JSON lines): what follows, and which part of the log it is. */
export interface AuditExportHeader {
  type: 'header';
  format: 'paved-audit';
  version: 1;
  exportedAt: string;
  /** Records after this seq only (an incremental export). */
  after?: number;
  /** One team's records only: each record can be checked, the chain between them cannot. */
  team?: string;
}

export type AuditExportLine = AuditExportHeader | ({ type: 'record' } & AuditRecord) | ({ type: 'checkpoint' } & AuditCheckpoint);

/** The hash the first record follows. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export function auditEntryOf(record: AuditRecord): AuditEntry {
  const { seq: _seq, prevHash: _prev, hash: _hash, keyId: _key, signature: _sig, ...entry } = record as AuditRecord & { type?: string };
  delete (entry as { type?: string }).type;
  return entry;
}

export function auditRecordHash(prevHash: string, entry: AuditEntry): string {
  return nodeCrypto().createHash('sha256').update(`${prevHash}\n${canonicalJson(entry)}`).digest('hex');
}

/** What a record's signature signs; distinct from a checkpoint's, so one can never pass for the other. */
export function auditRecordMessage(hash: string): string {
  return `paved-audit/1 record ${hash}`;
}

export function auditCheckpointMessage(checkpoint: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>): string {
  return `paved-audit/1 checkpoint ${checkpoint.seq} ${checkpoint.hash} ${checkpoint.at}`;
}

/** The key id of a raw Ed25519 public key: the first 16 hex of its SHA-256. */
export function auditKeyId(publicKey: string): string {
  return nodeCrypto().createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('hex').slice(0, 16);
}

export function auditPublicKeyObject(publicKey: string): KeyObject {
  return nodeCrypto().createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
}

export function verifyAuditSignature(key: KeyObject, message: string, signature: string): boolean {
  try {
    return nodeCrypto().verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
