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
}
