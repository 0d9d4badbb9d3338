/** Encrypted storage of an instance's secret values, keyed by (owner id, name). */
export interface SecretStore {
  put(ownerId: string, name: string, values: Record<string, string>): Promise<void>;
  get(ownerId: string, name: string): Promise<Record<string, string> | undefined>;
  deleteAll(ownerId: string): Promise<void>;
}
