import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, isPavedError, type FieldIssue } from '@paved/model';
import { DEFAULT_DELIVERY_SETTINGS, compilePattern, isTimeZone, type DeliveryConfig } from '@paved/server';

/**
 * The platform configuration, read from the environment once at start, validated (every
 * problem reported at once, each naming its variable) and frozen. Inner code receives this
 * object and never reads process.env (STYLE.md #10).
 */
export type ProcessRole = 'all' | 'api' | 'worker';

export interface PavedConfig {
  /** Where the SQLite store, master key and embedded PostgreSQL live. */
  dataDir: string;
  /** `postgres://…` to keep state in PostgreSQL; otherwise a SQLite file in dataDir. */
  databaseUrl: string;
  host: string;
  port: number;
  /** Which parts this process runs: the HTTP API, a reconcile worker, or both. */
  role: ProcessRole;
  /** Base64 or hex of 32 bytes; when absent a key file in dataDir is used (created at first start). */
  masterKey?: string;
  masterKeyFile: string;
  /** A YAML file of `kind: Target` documents. */
  targetsFile?: string;
  /** Shorthand for one PostgreSQL target named `postgres` (admin URL). */
  postgresTargetUrl?: string;
  /** Run a PostgreSQL server of our own when no PostgreSQL target is configured. */
  embeddedPostgres: { enabled: boolean; port: number };
  /** Product manifests published at bootstrap (`paved up`). */
  productsDir: string;
  /** Golden-path templates served to `paved init` (one folder per template). */
  templatesDir: string;
  worker: { concurrency: number; driftIntervalMs: number; leaseMs: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Delivery events and DORA metrics (docs/metrics/dora.md "Configuration"). */
  delivery: DeliveryConfig & { settings: NonNullable<DeliveryConfig['settings']> };
  /**
   * Test-only crash point: the process SIGKILLs itself when the engine reaches the named
   * failpoint (e.g. `create:after-driver`). Used by the crash test; never set in production.
   */
  crashAt?: string;
}

export type ConfigOverrides = Partial<Pick<PavedConfig, 'dataDir' | 'host' | 'port' | 'role'>>;

const ROLES: readonly ProcessRole[] = ['all', 'api', 'worker'];
const LOG_LEVELS: readonly PavedConfig['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const DEFAULT_PORT = 7468;
export const DEFAULT_EMBEDDED_POSTGRES_PORT = 7469;

/** Parses '250ms', '30s', '5m', '1h' (or a bare number of milliseconds). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * factor);
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'paved');
}

export function defaultProductsDir(): string {
  // packages/server/{src,dist}/config.* → repository root /products
  return resolve(new URL('../../../products', import.meta.url).pathname);
}

export function defaultTemplatesDir(): string {
  // packages/server/{src,dist}/config.* → repository root /templates
  return resolve(new URL('../../../templates', import.meta.url).pathname);
}

export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): PavedConfig {
  const issues: FieldIssue[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      issues.push({ path: name, message: `must be an integer from ${min} to ${max} (got "${raw}")` });
      return fallback;
    }
    return value;
  };
  const duration = (name: string, fallback: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = parseDuration(raw);
    if (value === undefined || value <= 0) {
      issues.push({ path: name, message: `must be a duration such as 500ms, 30s, 5m or 1h (got "${raw}")` });
      return fallback;
    }
    return value;
  };

  const dataDir = resolve(overrides.dataDir ?? str('PAVED_DATA_DIR') ?? defaultDataDir(env));
  const databaseUrl = str('PAVED_DATABASE_URL') ?? join(dataDir, 'paved.db');
  if (/^[a-z]+:\/\//i.test(databaseUrl) && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    issues.push({ path: 'PAVED_DATABASE_URL', message: 'must be a postgres:// URL (or unset for SQLite in the data folder)' });
  }
  const role = overrides.role ?? (str('PAVED_ROLE') as ProcessRole | undefined) ?? 'all';
  if (!ROLES.includes(role)) issues.push({ path: 'PAVED_ROLE', message: `must be one of ${ROLES.join(', ')} (got "${role}")` });
  const logLevel = (str('PAVED_LOG_LEVEL') ?? 'info') as PavedConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) issues.push({ path: 'PAVED_LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}` });
  const postgresTargetUrl = str('PAVED_POSTGRES_URL');
  if (postgresTargetUrl !== undefined && !/^postgres(ql)?:\/\//i.test(postgresTargetUrl)) {
    issues.push({ path: 'PAVED_POSTGRES_URL', message: 'must be a postgres:// URL of a server where Paved may create roles and databases' });
  }
  const embeddedSetting = str('PAVED_EMBEDDED_POSTGRES') ?? 'auto';
  if (!['auto', 'off'].includes(embeddedSetting)) issues.push({ path: 'PAVED_EMBEDDED_POSTGRES', message: 'must be "auto" or "off"' });
  const masterKey = str('PAVED_MASTER_KEY');
  const pattern = (name: string, fallback: string): string => {
    const value = str(name) ?? fallback;
    try {
      compilePattern(value, name);
    } catch (error) {
      if (!isPavedError(error)) throw error;
      issues.push({ path: name, message: error.message.replace(`${name} `, '') });
    }
    return value;
  };
  const deliverySettings = {
    productionEnvironments: pattern('PAVED_DORA_PRODUCTION_ENVIRONMENTS', DEFAULT_DELIVERY_SETTINGS.productionEnvironments),
    incidentLabel: pattern('PAVED_DORA_INCIDENT_LABEL', DEFAULT_DELIVERY_SETTINGS.incidentLabel),
    timeZone: str('PAVED_DORA_TIME_ZONE') ?? DEFAULT_DELIVERY_SETTINGS.timeZone,
  };
  if (!isTimeZone(deliverySettings.timeZone)) issues.push({ path: 'PAVED_DORA_TIME_ZONE', message: `must be an IANA time zone such as UTC or Europe/Berlin (got "${deliverySettings.timeZone}")` });
  const githubWebhookSecret = str('PAVED_GITHUB_WEBHOOK_SECRET');
  const gitlabWebhookToken = str('PAVED_GITLAB_WEBHOOK_TOKEN');

  const config: PavedConfig = {
    dataDir,
    databaseUrl,
    host: overrides.host ?? str('PAVED_HOST') ?? '127.0.0.1',
    port: overrides.port ?? int('PAVED_PORT', DEFAULT_PORT, 0, 65535),
    role,
    ...(masterKey === undefined ? {} : { masterKey }),
    masterKeyFile: resolve(str('PAVED_MASTER_KEY_FILE') ?? join(dataDir, 'master.key')),
    ...(str('PAVED_TARGETS_FILE') === undefined ? {} : { targetsFile: resolve(str('PAVED_TARGETS_FILE')!) }),
    ...(postgresTargetUrl === undefined ? {} : { postgresTargetUrl }),
    embeddedPostgres: {
      enabled: embeddedSetting === 'auto',
      port: int('PAVED_EMBEDDED_POSTGRES_PORT', DEFAULT_EMBEDDED_POSTGRES_PORT, 1, 65535),
    },
    productsDir: resolve(str('PAVED_PRODUCTS_DIR') ?? defaultProductsDir()),
    templatesDir: resolve(str('PAVED_TEMPLATES_DIR') ?? defaultTemplatesDir()),
    worker: {
      concurrency: int('PAVED_WORKER_CONCURRENCY', 8, 1, 256),
      driftIntervalMs: duration('PAVED_DRIFT_INTERVAL', 5 * 60_000),
      leaseMs: duration('PAVED_LEASE', 30_000),
    },
    logLevel,
    delivery: {
      settings: deliverySettings,
      ...(githubWebhookSecret === undefined ? {} : { githubWebhookSecret }),
      ...(gitlabWebhookToken === undefined ? {} : { gitlabWebhookToken }),
    },
    ...(str('PAVED_CRASH_AT') === undefined ? {} : { crashAt: str('PAVED_CRASH_AT')! }),
  };
  if (issues.length > 0) {
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n');
    throw new InputError(`invalid configuration:\n${lines}`, { code: 'config_invalid', issues });
  }
  return Object.freeze({ ...config, embeddedPostgres: Object.freeze(config.embeddedPostgres), worker: Object.freeze(config.worker), delivery: Object.freeze(config.delivery) });
}
