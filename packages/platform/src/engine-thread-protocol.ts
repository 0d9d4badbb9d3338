import type { Target } from '@paved/driver-api';
import type { PassResult } from '@paved/engine';
import type { PavedConfig } from './config.js';

/** What the engine's thread is started with (structured-cloned: plain data only). */
export interface EngineThreadData {
  config: Pick<PavedConfig, 'databaseUrl' | 'masterKey' | 'masterKeyFile' | 'logLevel' | 'worker' | 'crashAt'>;
  /** Including the embedded PostgreSQL's, which the API's side started. */
  targets: Target[];
  workerId: string;
  /** Relay instance changes both ways: SQLite cannot tell one connection of another's commit. */
  relay: boolean;
  /** The API's side counts the engine's work in its metrics. */
  observe: boolean;
}

export interface InstanceChange {
  instanceId: string;
  teamId: string;
}

/** From the API's side to the engine's thread. */
export type ToEngineThread =
  | { kind: 'change'; change: InstanceChange }
  | { kind: 'stop' };

/** From the engine's thread to the API's side. */
export type FromEngineThread =
  | { kind: 'started' }
  | { kind: 'change'; change: InstanceChange }
  | { kind: 'passEnded'; pass: { product: string; result: PassResult; durationMs: number } }
  | { kind: 'firstReady'; instance: { product: string; timeToReadyMs: number } };
