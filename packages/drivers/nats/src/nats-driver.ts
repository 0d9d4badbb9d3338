import { preflightWith, type Driver, type Logger } from '@paved/driver-api';
import { checks } from './checks.js';
import { deletionSteps } from './deletion.js';
import { observe } from './observe.js';
import { preflight } from './preflight.js';
import { provision } from './provision.js';
import { readTargetConfig } from './target-config.js';

export interface NatsDriverOptions {
  logger?: Logger;
}

/**
 * Driver type 'nats': per instance, a JetStream stream named like the instance capturing
 * `<externalName>.>`, with the plan's limits. In operator mode (recommended) the stream lives
 * in its own account and the instance gets a .creds file that reaches only it; in shared mode
 * it lives in the server's shared account with no access isolation (development only).
 * See README.md and docs/drivers/nats.md.
 */
export function createNatsDriver(_options: NatsDriverOptions = {}): Driver {
  return {
    type: 'nats',
    // Only the user credential comes from the engine; the account key is derived on the target
    // side (keys.ts), so new secrets re-issue the credential without orphaning the account.
    secrets: Object.freeze({ userSeed: { bytes: 32 } }),
    deletion: deletionSteps(),
    preflight: (target) => preflightWith(target, readTargetConfig, preflight),
    observe,
    create: provision,
    update: provision,
    checks,
  };
}
