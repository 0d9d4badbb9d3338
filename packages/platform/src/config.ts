import { accessSync, constants as fsConstants } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError, isPavedError, type FieldIssue } from '@paved/model';
import { DEFAULT_DELIVERY_SETTINGS, compilePattern, isTimeZone, type DeliveryConfig, type OidcSettings } from '@paved/server';
import { loadOidcSettings } from './oidc-config.js';

/**
 * The platform configuration, read from the environment once at start, validated (every
 * problem reported at once, each naming its variable) and frozen. Inner code receives this
 * object and never reads process.env (docs/architecture.md#configuration).
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
  /** That target's `closeServerDatabases` (PAVED_POSTGRES_CLOSE_SERVER_DATABASES); absent: the driver's default, true. */
  postgresCloseServerDatabases?: boolean;
  /** Run a PostgreSQL server of our own when no PostgreSQL target is configured. */
  embeddedPostgres: { enabled: boolean; port: number };
  /** Product manifests published at bootstrap (`paved up`). */
  productsDir: string;
  /** Golden-path templates served to `paved init` (one folder per template). */
  templatesDir: string;
  worker: { concurrency: number; driftIntervalMs: number; leaseMs: number };
  /** What one caller may use of the API (docs/api.md "Limits"). */
  limits: {
    /** Requests per hour per API token (PAVED_RATE_LIMIT); 0: unlimited. */
    requestsPerHour: number;
    /** Failed authentications per minute per client address (PAVED_AUTH_FAILURE_LIMIT). */
    authFailuresPerMinute: number;
    /** Sign-ins started per minute per client address (PAVED_SIGN_IN_START_LIMIT). */
    signInStartsPerMinute: number;
    /** Open watch and log-follow streams per user (PAVED_STREAMS_PER_USER). */
    streamsPerUser: number;
  };
  /** PEM files of the API's TLS certificate (chain) and key: set, the API is served over HTTPS. */
  tls?: { certFile: string; keyFile: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Sign-in with an identity provider (PAVED_OIDC_*, docs/sign-in.md); absent: off. */
  oidc?: OidcSettings;
  /**
   * Whom the API believes about the client address (X-Forwarded-For), for the audit log's
   * source: false (the connection's address), true (any proxy), a number of proxy hops, or a
   * comma-separated list of proxy addresses/CIDRs (PAVED_TRUST_PROXY).
   */
  trustProxy: boolean | number | string;
  /**
   * Where this process serves its Prometheus metrics (`GET /metrics`, no token; see
   * docs/metrics/prometheus.md): PAVED_METRICS_PORT, on PAVED_METRICS_HOST (default: the API's
   * host). Absent: no metrics listener. Each process of a deployment needs its own port.
   */
  metrics?: { host: string; port: number };
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

/** The longest configurable duration: timers above 2^31-1 ms would fire at once. */
const MAX_DURATION_MS = 24 * 3_600_000;

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

/** An address or CIDR (IPv4 or IPv6), or one of proxy-addr's names for address ranges. */
const PROXY_RE = /^(?:[0-9a-fA-F:.]+(?:\/\d{1,3})?|loopback|linklocal|uniquelocal)$/;

function parseTrustProxy(raw: string | undefined, issues: FieldIssue[]): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => PROXY_RE.test(entry))) return entries.join(',');
  issues.push({ path: 'PAVED_TRUST_PROXY', message: `must be true, false, a number of proxy hops, or comma-separated proxy addresses/CIDRs (got "${raw}")` });
  return false;
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
    if (value === undefined || value <= 0 || value > MAX_DURATION_MS) {
      issues.push({ path: name, message: `must be a duration from 1ms to 24h, such as 500ms, 30s, 5m or 1h (got "${raw}")` });
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
  const closeSetting = str('PAVED_POSTGRES_CLOSE_SERVER_DATABASES');
  if (closeSetting !== undefined && !['true', 'false'].includes(closeSetting)) issues.push({ path: 'PAVED_POSTGRES_CLOSE_SERVER_DATABASES', message: 'must be "true" or "false"' });
  const embeddedSetting = str('PAVED_EMBEDDED_POSTGRES') ?? 'auto';
  if (!['auto', 'off'].includes(embeddedSetting)) issues.push({ path: 'PAVED_EMBEDDED_POSTGRES', message: 'must be "auto" or "off"' });
  const masterKey = str('PAVED_MASTER_KEY');
  const host = overrides.host ?? str('PAVED_HOST') ?? '127.0.0.1';
  const port = overrides.port ?? int('PAVED_PORT', DEFAULT_PORT, 0, 65535);
  const oidc = loadOidcSettings(str, { host, port }, issues);
  const trustProxy = parseTrustProxy(str('PAVED_TRUST_PROXY'), issues);
  const tls = tlsFiles(str('PAVED_TLS_CERT_FILE'), str('PAVED_TLS_KEY_FILE'), issues);
  const metricsPort = str('PAVED_METRICS_PORT') === undefined ? undefined : int('PAVED_METRICS_PORT', 0, 0, 65535);
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
    host,
    port,
    role,
    ...(masterKey === undefined ? {} : { masterKey }),
    masterKeyFile: resolve(str('PAVED_MASTER_KEY_FILE') ?? join(dataDir, 'master.key')),
    ...(str('PAVED_TARGETS_FILE') === undefined ? {} : { targetsFile: resolve(str('PAVED_TARGETS_FILE')!) }),
    ...(postgresTargetUrl === undefined ? {} : { postgresTargetUrl }),
    ...(closeSetting === undefined ? {} : { postgresCloseServerDatabases: closeSetting === 'true' }),
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
    limits: {
      requestsPerHour: int('PAVED_RATE_LIMIT', 7200, 0, 10_000_000),
      authFailuresPerMinute: int('PAVED_AUTH_FAILURE_LIMIT', 30, 1, 100_000),
      signInStartsPerMinute: int('PAVED_SIGN_IN_START_LIMIT', 60, 1, 100_000),
      streamsPerUser: int('PAVED_STREAMS_PER_USER', 20, 1, 10_000),
    },
    ...(tls ? { tls } : {}),
    logLevel,
    trustProxy,
    ...(metricsPort === undefined ? {} : { metrics: { host: str('PAVED_METRICS_HOST') ?? host, port: metricsPort } }),
    delivery: {
      settings: deliverySettings,
      ...(githubWebhookSecret === undefined ? {} : { githubWebhookSecret }),
      ...(gitlabWebhookToken === undefined ? {} : { gitlabWebhookToken }),
    },
    ...(str('PAVED_CRASH_AT') === undefined ? {} : { crashAt: str('PAVED_CRASH_AT')! }),
    ...(oidc === undefined ? {} : { oidc }),
  };
  if (issues.length > 0) {
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n');
    throw new InputError(`invalid configuration:\n${lines}`, { code: 'config_invalid', issues });
  }
  return Object.freeze({
    ...config,
    embeddedPostgres: Object.freeze(config.embeddedPostgres),
    worker: Object.freeze(config.worker),
    limits: Object.freeze(config.limits),
    delivery: Object.freeze(config.delivery),
    ...(config.tls ? { tls: Object.freeze(config.tls) } : {}),
    ...(config.metrics === undefined ? {} : { metrics: Object.freeze(config.metrics) }),
  });
}

/** Both TLS files or neither, each readable; problems are added to `issues` naming the variable. */
function tlsFiles(cert: string | undefined, key: string | undefined, issues: FieldIssue[]): PavedConfig['tls'] {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    const missing = cert === undefined ? 'PAVED_TLS_CERT_FILE' : 'PAVED_TLS_KEY_FILE';
    const other = cert === undefined ? 'PAVED_TLS_KEY_FILE' : 'PAVED_TLS_CERT_FILE';
    issues.push({ path: missing, message: `is required with ${other} (set both to serve HTTPS, or neither)` });
    return undefined;
  }
  const files = { certFile: resolve(cert), keyFile: resolve(key) };
  for (const [name, file] of [['PAVED_TLS_CERT_FILE', files.certFile], ['PAVED_TLS_KEY_FILE', files.keyFile]] as const) {
    try {
      accessSync(file, fsConstants.R_OK);
    } catch {
      issues.push({ path: name, message: `cannot read ${file}` });
    }
  }
  return files;
}
