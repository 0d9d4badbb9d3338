import { Worker } from 'node:worker_threads';
import type { Logger, Target } from '@paved/driver-api';
import type { EngineObserver } from '@paved/engine';
import type { Store } from '@paved/store';
import type { PavedConfig } from './config.js';
import type { EngineThreadData, FromEngineThread, ToEngineThread } from './engine-thread-protocol.js';

export interface EngineThreadOptions {
  config: PavedConfig;
  /** The API's side's store: its commits ring the thread's claim loop, the thread's ring its watchers. */
  store: Store;
  targets: Target[];
  workerId: string;
  logger: Logger;
  observer?: EngineObserver;
}

/**
 * Node cannot run TypeScript on a thread: tests, which import this module from source, start
 * the built entry (npm run build); the built module starts the one beside it.
 */
const ENTRY = import.meta.url.endsWith('.ts') ? new URL('../dist/engine-thread-entry.js', import.meta.url) : new URL('./engine-thread-entry.js', import.meta.url);

/**
 * Starts the engine on a thread of its own (PAVED_ENGINE_THREAD=on), so that a pass does not
 * wait for the API's work on the one event loop, nor the API for the pass's. Resolves once the
 * engine runs; returns its stop, which waits for its running passes and for the thread's end.
 * Where the store does not hear other connections' commits (SQLite), every instance change
 * either side commits is relayed to the other; PostgreSQL's LISTEN/NOTIFY already reaches both.
 * The thread failing after it started is the process failing, as the engine failing on the
 * API's loop would be: its leases lapse and any worker takes its instances over.
 */
export async function startEngineThread(options: EngineThreadOptions): Promise<() => Promise<void>> {
  const { config, store, logger, observer } = options;
  const relay = !store.hearsOtherConnections;
  const data: EngineThreadData = {
    config: {
      databaseUrl: config.databaseUrl, masterKeyFile: config.masterKeyFile, logLevel: config.logLevel, worker: config.worker,
      ...(config.masterKey === undefined ? {} : { masterKey: config.masterKey }),
      ...(config.crashAt === undefined ? {} : { crashAt: config.crashAt }),
    },
    targets: options.targets, workerId: options.workerId, relay, observe: observer !== undefined,
  };
  const worker = new Worker(ENTRY, { workerData: data });
  const send = (message: ToEngineThread) => worker.postMessage(message);
  const unrelay = relay ? store.onOwnInstanceChange((change) => send({ kind: 'change', change })) : () => {};
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    let started = false;
    worker.on('message', (message: FromEngineThread) => {
      if (message.kind === 'change') store.relayInstanceChange(message.change);
      else if (message.kind === 'passEnded') observer?.passEnded(message.pass);
      else if (message.kind === 'firstReady') observer?.firstReady(message.instance);
      else if (message.kind === 'started') {
        started = true;
        resolve();
      }
    });
    worker.on('error', (error) => {
      unrelay();
      if (!started) return reject(error);
      if (stopping) return void logger.warn({ err: error }, 'error while stopping');
      logger.error({ err: error }, 'the engine thread failed');
      throw error;
    });
    worker.once('exit', (code) => {
      unrelay();
      if (!started) return reject(new Error(`the engine thread ended at start (exit code ${code})`));
      if (stopping) return;
      const error = new Error(`the engine thread ended unasked (exit code ${code})`);
      logger.error({ err: error }, 'the engine thread failed');
      throw error;
    });
  });

  return async () => {
    if (stopping) return exited;
    stopping = true;
    send({ kind: 'stop' });
    await exited;
    unrelay();
  };
}
