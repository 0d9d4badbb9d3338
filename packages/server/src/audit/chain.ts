import { createPrivateKey, createPublicKey, hkdfSync, sign } from 'node:crypto';
import {
  auditCheckpointMessage, auditKeyId, auditRecordHash, auditRecordMessage,
  type AuditCheckpoint, type AuditEntry, type AuditKey, type AuditRecord,
} from '@paved/model';
import type { Store, WriteOptions } from '@paved/store';

/** Signs the audit log's records and checkpoints. Its private key never leaves this process. */
export interface AuditSigner {
  readonly key: AuditKey;
  sign(message: string): string;
}

/** PKCS #8 DER of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const HKDF_SALT = 'paved-audit';
const HKDF_INFO = 'ed25519 signing key v1';

/**
 * The audit signing key, derived (HKDF-SHA256) from the master key: every process of one
 * platform signs with the same key, nothing more is kept anywhere, and the database alone (which
 * never holds the master key) is not enough to sign a forged record.
 */
export function createAuditSigner(masterKey: Buffer): AuditSigner {
  const seed = Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, HKDF_INFO, 32));
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'jwk' }).x!;
  return {
    key: { id: auditKeyId(publicKey), algorithm: 'ed25519', publicKey },
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64url'),
  };
}

/** Appends to the audit chain and signs checkpoints of its head. */
export class AuditChain {
  constructor(private readonly store: Store, private readonly signer: AuditSigner, private readonly now: () => number = Date.now) {}

  get key(): AuditKey {
    return this.signer.key;
  }

  /** `options.flushedLater`: see WriteOptions (@paved/store); only where store/src/dialect/flushed-later.ts's rule holds. */
  append(entry: Omit<AuditEntry, 'at'>, options?: WriteOptions): Promise<AuditRecord> {
    return this.store.appendAuditRecord(entry, ({ prevHash, entry: full }) => {
      const hash = auditRecordHash(prevHash, full);
      return { hash, keyId: this.signer.key.id, signature: this.signer.sign(auditRecordMessage(hash)) };
    }, options);
  }

  /**
   * Stores a signed checkpoint of the head, so that a tail cut off later shows; returns it, or
   * undefined when the log is empty or that head has a checkpoint already (one per seq).
   */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const head = await this.store.auditHead();
    if (head.seq === 0) return undefined;
    const checkpoint = this.checkpointOf(head);
    return (await this.store.putAuditCheckpoint(checkpoint)) ? checkpoint : undefined;
  }

  /** A checkpoint of the record at `seq` with `hash`, signed now; not stored (the last line of an export). */
  checkpointOf(head: { seq: number; hash: string }): AuditCheckpoint {
    const body = { seq: head.seq, hash: head.hash, at: new Date(this.now()).toISOString() };
    return { ...body, keyId: this.signer.key.id, signature: this.signer.sign(auditCheckpointMessage(body)) };
  }
}
