import type { WebhookSettings, WebhookSource } from '@paved/model';
import type { SecretStore } from '@paved/secrets';

/**
 * The secret each webhook source signs with (GitHub's webhook secret, GitLab's secret token).
 * It comes from the environment (PAVED_GITHUB_WEBHOOK_SECRET, PAVED_GITLAB_WEBHOOK_TOKEN) until
 * a platform admin sets one at runtime; that one is kept in the secret store (encrypted) and
 * wins. On a change the secret in force before stays valid for a grace period, so deliveries
 * signed with it while the source is being updated are not refused.
 *
 * Every delivery needs the secrets, so they are cached; the cache is refreshed every 10 s (other
 * API processes may change them), at once after a change here, and on a failed verification
 * (at most once a second), so a secret set through another process is taken up immediately.
 */

const OWNER = 'paved:webhooks';
const CACHE_MS = 10_000;
const REFRESH_ON_FAILURE_MS = 1_000;
export const DEFAULT_PREVIOUS_VALID_SECONDS = 3600;

interface Stored {
  secret: string;
  updatedAt: string;
  previous?: string;
  previousValidUntil?: string;
}

interface Cached {
  stored?: Stored;
  readAt: number;
}

export class WebhookSecrets {
  private readonly cache = new Map<WebhookSource, Cached>();
  private readonly lastForcedRefresh = new Map<WebhookSource, number>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly fromEnvironment: Partial<Record<WebhookSource, string>>,
    private readonly now: () => number,
  ) {}

  /** The secrets a delivery may be signed with now; empty when none is configured. */
  async valid(source: WebhookSource, refresh = false): Promise<string[]> {
    const stored = await this.stored(source, refresh);
    if (stored === undefined) {
      const env = this.fromEnvironment[source];
      return env === undefined ? [] : [env];
    }
    const list = [stored.secret];
    if (stored.previous !== undefined && stored.previousValidUntil !== undefined && Date.parse(stored.previousValidUntil) > this.now()) list.push(stored.previous);
    return list;
  }

  /** After a failed verification: whether a fresh read is allowed now (bounds the store reads forged deliveries cause). */
  mayRefresh(source: WebhookSource): boolean {
    const last = this.lastForcedRefresh.get(source) ?? 0;
    if (this.now() - last < REFRESH_ON_FAILURE_MS) return false;
    this.lastForcedRefresh.set(source, this.now());
    return true;
  }

  async set(source: WebhookSource, secret: string, previousValidForSeconds: number): Promise<WebhookSettings> {
    const inForce = (await this.valid(source, true))[0];
    const at = this.now();
    const next: Stored = {
      secret,
      updatedAt: new Date(at).toISOString(),
      ...(inForce !== undefined && inForce !== secret && previousValidForSeconds > 0
        ? { previous: inForce, previousValidUntil: new Date(at + previousValidForSeconds * 1000).toISOString() }
        : {}),
    };
    const values: Record<string, string> = { secret: next.secret, updatedAt: next.updatedAt };
    if (next.previous !== undefined && next.previousValidUntil !== undefined) Object.assign(values, { previous: next.previous, previousValidUntil: next.previousValidUntil });
    await this.secrets.put(OWNER, source, values);
    this.cache.set(source, { stored: next, readAt: at });
    return this.settingsOf(source, next);
  }

  async settings(source: WebhookSource): Promise<WebhookSettings> {
    return this.settingsOf(source, await this.stored(source, true));
  }

  private settingsOf(source: WebhookSource, stored: Stored | undefined): WebhookSettings {
    if (stored === undefined) return { source, origin: this.fromEnvironment[source] === undefined ? 'none' : 'environment' };
    const previousValid = stored.previousValidUntil !== undefined && Date.parse(stored.previousValidUntil) > this.now();
    return { source, origin: 'runtime', updatedAt: stored.updatedAt, ...(previousValid ? { previousValidUntil: stored.previousValidUntil } : {}) };
  }

  private async stored(source: WebhookSource, refresh: boolean): Promise<Stored | undefined> {
    const cached = this.cache.get(source);
    if (!refresh && cached !== undefined && this.now() - cached.readAt < CACHE_MS) return cached.stored;
    const values = await this.secrets.get(OWNER, source);
    const stored = values?.secret === undefined ? undefined : (values as unknown as Stored);
    this.cache.set(source, { stored, readAt: this.now() });
    return stored;
  }
}
