import { createRequire } from 'node:module';
import type * as Transport from '@nats-io/transport-node';
import type * as JetStream from '@nats-io/jetstream';

const require = createRequire(import.meta.url);
let transport: typeof Transport | undefined;
let jetStream: typeof JetStream | undefined;

/**
 * The NATS client libraries, loaded when the first NATS connection is made: every Paved loads
 * this driver, most never reach a NATS target, and the client, JetStream and nkeys (tweetnacl)
 * are ~360 KB of source, 70 modules, held by every idle `paved up` (bench/footprint.mjs).
 * Synchronous, so connections still open where they did.
 */
export const natsTransport = (): typeof Transport => (transport ??= require('@nats-io/transport-node') as typeof Transport);
export const natsJetStream = (): typeof JetStream => (jetStream ??= require('@nats-io/jetstream') as typeof JetStream);
