/**
 * A configured target as platform admins see it (GET /api/v1/admin/targets): its name, driver,
 * labels and whether the driver can act on it now. Never its config, which holds admin URLs
 * with passwords.
 */
export interface TargetHealth {
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** How many create/update/delete operations may run on the target at once, when limited. */
  concurrency?: number;
  /** The driver's preflight: `ok` false with one problem per line (what to fix) when it cannot act. */
  health: { ok: boolean; problems: string[]; version?: string; warnings?: string[] };
}
