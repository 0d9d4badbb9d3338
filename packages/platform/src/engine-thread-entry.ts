import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '@paved/engine';
import { createSecretStore, openKeyring } from '@paved/secrets';
import { createStore } from '@paved/store';
import { createDrivers } from './drivers.js';
import { engineOptions } from './engine-options.js';
import type { EngineThreadData, FromEngineThread, ToEngineThread } from './engine-thread-protocol.js';
import { createLogger } from './logger.js';

/**
 * The engine on a thread of its own (PAVED_ENGINE_THREAD=on; engine-thread.ts starts it): its
 * own store connection, secrets, drivers and logger, the same engine options as on the API's
 * loop. The store is migrated and the keyring registered by the API's side before it starts.
 */
const data = workerData as EngineThreadData;
const port = parentPort!;
const send = (message: FromEngineThread) => port.postMessage(message);

const logger = createLogger(data.config);
const store = await createStore({ url: data.config.databaseUrl });
const keyring = openKeyring({ ...(data.config.masterKey === undefined ? {} : { envValue: data.config.masterKey }), keyFile: data.config.masterKeyFile });
const secrets = createSecretStore({ store, keyring: keyring.source });
const drivers = createDrivers(logger);
const engine = createEngine(engineOptions({
  config: data.config, store, drivers, targets: data.targets, secrets, logger, workerId: data.workerId,
  ...(data.observe ? {
    observer: {
      passEnded: (pass) => send({ kind: 'passEnded', pass }),
      firstReady: (instance) => send({ kind: 'firstReady', instance }),
    },
  } : {}),
}));

// Our commits, told to the API's side (its watch streams), and its commits, told to our claim loop.
if (data.relay) store.onOwnInstanceChange((change) => send({ kind: 'change', change }));
port.on('message', (message: ToEngineThread) => {
  if (message.kind === 'change') store.relayInstanceChange(message.change);
  else if (message.kind === 'stop') void stop();
});

async function stop(): Promise<void> {
  // The engine before the drivers and the store it uses, as on the API's loop.
  try {
    await engine.stop();
    await Promise.all(Object.values(drivers).map((driver) => driver.close?.()));
  } catch (error) {
    logger.warn({ err: error }, 'error while stopping');
  } finally {
    await store.close().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
    // Ends this thread only; whatever a driver left open cannot keep it (and the process) alive.
    process.exit(0);
  }
}

engine.start();
send({ kind: 'started' });
