import type { Driver, Logger, Target } from '@paved/driver-api';
import type { EngineObserver, EngineOptions } from '@paved/engine';
import type { SecretStore } from '@paved/secrets';
import type { Store } from '@paved/store';
import { rolloutPolicyCheck } from '@paved/server';
import type { PavedConfig } from './config.js';

/** What the engine's options are made of, on the API's event loop or on a thread of its own. */
export interface EngineParts {
  config: Pick<PavedConfig, 'worker' | 'crashAt'>;
  store: Store;
  drivers: Record<string, Driver>;
  targets: Target[];
  secrets: SecretStore;
  logger: Logger;
  workerId: string;
  observer?: EngineObserver;
}

/** The engine's options from the configuration: one place, so both ways of running it run the same engine. */
export function engineOptions(parts: EngineParts): EngineOptions {
  const { config, store, drivers, targets, secrets, logger, workerId, observer } = parts;
  const crashAt = config.crashAt;
  return {
    store,
    drivers,
    targets,
    secrets,
    logger,
    workerId,
    concurrency: config.worker.concurrency,
    driftIntervalMs: config.worker.driftIntervalMs,
    leaseMs: config.worker.leaseMs,
    ...(observer === undefined ? {} : { observer }),
    // A rollout's instances are judged by the policies when their wave starts, like an update.
    rolloutPolicyCheck: rolloutPolicyCheck(store),
    // Test-only (PAVED_CRASH_AT): die like a power cut at the named point (from a thread too:
    // the signal is the process's).
    ...(crashAt ? { failpoint: (name: string) => { if (name === crashAt) process.kill(process.pid, 'SIGKILL'); } } : {}),
  };
}
