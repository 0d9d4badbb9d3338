import type { SecretEnvelopeRow, WriteOptions } from '@paved/store';
/** Encrypted storage of an instance's secret values, keyed by (owner id, name). */
export interface SecretStore {
  /** `options.flushedLater`: see WriteOptions (@paved/store); only where dialect/flushed-later.ts's rule holds. */
  put(ownerId: string, name: string, values: Record<string, string>, options?: WriteOptions): Promise<void>;
  get(ownerId: string, name: string): Promise<Record<string, string> | undefined>;
  deleteAll(ownerId: string): Promise<void>;
  /**
   * The values of an envelope the store has already read (Store.getInstanceWithSecret, a
   * watch's re-read that brings the credentials along): what `get` opens after its read.
   */
  open?(row: SecretEnvelopeRow): Record<string, string>;
  /**
   * `values` sealed as `put` would seal them, at once, when the key new secrets are sealed with is
   * already known (a write has found it); else undefined, and that key is looked up meanwhile.
   * For a write made elsewhere (a create's intent, Store.claimOnCreate); the store refuses an
   * envelope whose key is no longer the active one, as it refuses `put`'s.
   */
  sealNow?(ownerId: string, name: string, values: Record<string, string>): { envelope: string; keyId: string } | undefined;
  /**
   * Looks up the key new secrets are sealed with, unless known: asked when a worker starts, so
   * that `sealNow` has it from the first create on. On a store with no active key yet it is the
   * keyring's newest, as for `put`; a failure is left for `put` to report.
   */
  knowSealingKey?(): Promise<void>;
}
