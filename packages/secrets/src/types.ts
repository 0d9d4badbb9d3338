/** Encrypted storage of an instance's secret values, keyed by (owner id, name). */
export interface SecretStore {
  /** `options.alone`: see the store's SecretWriteOptions (the driver's credentials, waited for by their pass). */
  put(ownerId: string, name: string, values: Record<string, string>, options?: { alone?: boolean }): Promise<void>;
  get(ownerId: string, name: string): Promise<Record<string, string> | undefined>;
  deleteAll(ownerId: string): Promise<void>;
}
