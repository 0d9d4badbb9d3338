import type { SecretEnvelopeRow } from '@paved/store';
/** Encrypted storage of an instance's secret values, keyed by (owner id, name). */
export interface SecretStore {
  put(ownerId: string, name: string, values: Record<string, string>): Promise<void>;
  get(ownerId: string, name: string): Promise<Record<string, string> | undefined>;
  deleteAll(ownerId: string): Promise<void>;
  /**
   * The values of an envelope the store has already read (Store.getInstanceWithSecret, a
   * watch's re-read that brings the credentials along): what `get` opens after its read.
   */
  open?(row: SecretEnvelopeRow): Record<string, string>;
}
