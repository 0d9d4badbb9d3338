import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Target } from '@paved/driver-api';
import { createEngine, type Engine } from '@paved/engine';
import { createStore, type Store } from '@paved/store';
import { createSecretStore, openKeyring, registerKeyring } from '@paved/secrets';
import { findPortalDir } from './portal.js';
import { AuditChain, buildApp, rolloutPolicyCheck, createAuditLog, createAuditSigner, startAuditCheckpoints, startLogRetention } from '@paved/server';
import { auditKeyMaterial } from './audit-key.js';
import type { PavedConfig } from './config.js';
import { loadTls } from './tls.js';
import { createDrivers } from './drivers.js';
import { loadConfiguredTargets } from './targets.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres/index.js';
import { bootstrap } from './bootstrap.js';
import { boundHeapGrowth } from './heap-growth.js';
import { startHeapTrim } from './heap-trim.js';
import { API_LISTEN_SETTINGS, listenError } from './listen-errors.js';

export interface StartOptions {
  /** `paved up`: create the first admin and the platform team, publish built-in products, start embedded PostgreSQL. */
  bootstrap?: boolean;
  /** The CLI's saved admin token; reused when still valid, otherwise a new one is issued. */
  adminToken?: string;
  onProgress?: (line: string) => void;
}

export interface RunningPaved {
  /** Base URL of the HTTP API (absent for a worker-only process). */
  url?: string;
  /** Set by bootstrap: a token of the platform admin for the local CLI. */
  adminToken?: string;
  /** Where this process serves its Prometheus metrics (PAVED_METRICS_PORT); absent when it does not. */
  metricsUrl?: string;
  /** Set when this process serves the web portal (at `url`): its pages were built. */
  portal?: boolean;
  config: PavedConfig;
  stop(): Promise<void>;
}

export const PAVED_VERSION = '0.1.0';

/** Bytes as MiB with one decimal, for the log. */
const mib = (bytes: number): number => Math.round(bytes / 104857.6) / 10;

function createLogger(config: PavedConfig): pino.Logger {
  // Logs go to stderr so a command's data on stdout stays clean; request logging is off (one
  // line per request drowns `paved up`), warnings and lifecycle events stay.
  return pino(
    {
      level: config.logLevel,
      base: { pid: process.pid },
      redact: ['req.headers.authorization', 'headers.authorization', 'req.headers.cookie', 'headers.cookie', 'req.headers["x-gitlab-token"]', 'req.headers["x-hub-signature-256"]'],
    },
    pino.destination(2),
  );
}

/**
 * The composition root: configuration → store → secrets → targets → drivers → engine and/or
 * HTTP API. The one place that builds the running platform; everything below receives what it
 * needs as arguments.
 */
export async function startPaved(config: PavedConfig, options: StartOptions = {}): Promise<RunningPaved> {
  const progress = options.onProgress ?? (() => {});
  boundHeapGrowth();
  // Checked before anything starts: a bad certificate must not leave a half-started platform.
  const tls = config.tls && config.role !== 'worker' ? await loadTls(config.tls) : undefined;
  const logger = createLogger(config);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const keyring = openKeyring({ envValue: config.masterKey, keyFile: config.masterKeyFile });
  if (keyring.created) progress(`created the master key ${config.masterKeyFile} (mode 0600): back it up, secrets cannot be read without it`);

  const store: Store = await createStore({ url: config.databaseUrl });
  const stops: (() => Promise<void>)[] = [() => store.close()];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error) => logger.warn({ err: error }, 'error while stopping'));
    stops.length = 0;
  };
  try {
    await store.migrate();
    const active = await registerKeyring(store, keyring.source);
    const secrets = createSecretStore({ store, keyring: keyring.source });
    // The audit log's signing key comes from key material in the secret store, sealed by the
    // master key and never readable from the database alone (docs/audit.md); it outlives key rotations.
    const auditSigner = createAuditSigner(await auditKeyMaterial(secrets, keyring.source.keys().find((key) => key.id === active.keyId)!));
    const auditChain = new AuditChain(store, auditSigner);
    const targets: Target[] = await loadConfiguredTargets(config);
    let embedded: EmbeddedPostgresHandle | undefined;
    const wantsEmbedded = config.role === 'all' && config.embeddedPostgres.enabled && !targets.some((t) => t.driver === 'postgres');
    if (wantsEmbedded) {
      embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgres.port, secrets, onProgress: progress });
      stops.push(() => embedded!.stop());
      targets.unshift(embedded.target);
    }
    const drivers = createDrivers(logger);
    stops.push(async () => {
      await Promise.all(Object.values(drivers).map((driver) => driver.close?.()));
    });

    let adminToken: string | undefined;
    if (options.bootstrap) {
      adminToken = await bootstrap({ store, audit: createAuditLog(auditChain), productsDir: config.productsDir, adminToken: options.adminToken, onProgress: progress });
    }

    // Every process counts its own work; the queue depth is the store's, the same in each.
    // prom-client is loaded only where metrics are configured (bench/README.md §9).
    const prometheus = config.metrics === undefined ? undefined : await import('@paved/server/prometheus');
    const metrics = prometheus === undefined ? undefined : new prometheus.PlatformMetrics({ store, role: config.role });

    let engine: Engine | undefined;
    if (config.role !== 'api') {
      const crashAt = config.crashAt;
      engine = createEngine({
        store,
        drivers,
        targets,
        secrets,
        logger,
        workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
        concurrency: config.worker.concurrency,
        driftIntervalMs: config.worker.driftIntervalMs,
        leaseMs: config.worker.leaseMs,
        ...(metrics === undefined ? {} : { observer: metrics.engineObserver }),
        // A rollout's instances are judged by the policies when their wave starts, like an update.
        rolloutPolicyCheck: rolloutPolicyCheck(store),
        // Test-only (PAVED_CRASH_AT): die like a power cut at the named point.
        ...(crashAt ? { failpoint: (name: string) => { if (name === crashAt) process.kill(process.pid, 'SIGKILL'); } } : {}),
      });
      engine.start();
      // Stop the worker before the store and drivers it uses.
      stops.push(() => engine!.stop());
    }

    let url: string | undefined;
    const portalDir = config.role === 'worker' ? undefined : findPortalDir();
    if (config.role !== 'worker') {
      const { requestsPerHour, authFailuresPerMinute, signInStartsPerMinute, streamsPerUser } = config.limits;
      const app = await buildApp({
        store, secrets, targets, drivers, logger, version: PAVED_VERSION, templatesDir: config.templatesDir, auditSigner, trustProxy: config.trustProxy,
        rateLimits: { requestsPerHour, authFailuresPerMinute, signInStartsPerMinute }, streamsPerUser, ...(tls ? { tls } : {}),
        ...(config.oidc ? { oidc: config.oidc } : {}),
        ...(metrics === undefined ? {} : { metrics }),
        delivery: config.delivery,
        ...(portalDir ? { portalDir } : {}),
      });
      // Closed at stop, and when the listen below fails.
      stops.push(() => app.close());
      const where = { host: config.host, port: config.port };
      const address = await app.listen(where).catch((error: unknown) => {
        throw listenError(error, where, API_LISTEN_SETTINGS);
      });
      url = address.replace('://[::1]', '://localhost');
      // Log retention runs where the API runs (role all or api): at start and every 10 minutes.
      stops.push(startLogRetention({ store, logger }));
      // Checkpoints of the audit chain's head where the API runs: at start, every 10 minutes, at stop.
      stops.push(startAuditCheckpoints({ chain: auditChain, logger }));
    }
    let metricsUrl: string | undefined;
    if (prometheus !== undefined && metrics !== undefined && config.metrics !== undefined) {
      const where = config.metrics;
      const endpoint = await prometheus.startMetricsEndpoint(metrics, where).catch((error: unknown) => {
        throw listenError(error, where, { host: 'PAVED_METRICS_HOST', port: 'PAVED_METRICS_PORT' });
      });
      metricsUrl = endpoint.url;
      stops.push(() => endpoint.close());
    }
    stops.push(startHeapTrim(({ totalBefore, totalAfter }) => {
      logger.debug({ heapMiB: { before: mib(totalBefore), after: mib(totalAfter) } }, 'heap trimmed at a quiet moment');
    }));
    logger.info({ url, portal: portalDir !== undefined, metricsUrl, role: config.role, store: store.dialect, targets: targets.map((t) => t.name) }, 'paved started');
    return { ...(url ? { url } : {}), ...(adminToken ? { adminToken } : {}), ...(metricsUrl ? { metricsUrl } : {}), ...(url && portalDir ? { portal: true } : {}), config, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
