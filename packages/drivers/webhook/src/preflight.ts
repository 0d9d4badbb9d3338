import type { DriverInstance, PreflightResult } from '@paved/driver-api';
import { deliver } from './deliver.js';
import { deliveryBody } from './delivery.js';
import { readObservation } from './results.js';
import type { WebhookTargetConfig } from './target-config.js';

/** A probe instance no automation should have: preflight asks about it and expects "absent". */
const PROBE: DriverInstance = {
  id: '00000000-0000-4000-8000-000000000000',
  team: 'paved',
  name: 'paved-preflight',
  externalName: 'paved_preflight_probe',
  product: 'paved-preflight',
  plan: 'default',
  values: {},
};

/**
 * Can Paved talk to this automation at all? Sends one signed observe for a probe instance and
 * checks the answer follows the protocol. One line per problem, each with its fix. Never throws.
 */
export async function preflight(config: WebhookTargetConfig, signal: AbortSignal = new AbortController().signal): Promise<PreflightResult> {
  const problems: string[] = [];
  const url = new URL(config.url);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    problems.push(`config.url ${config.display} is plain http to another host: create/update requests carry passwords; use https`);
  }
  try {
    const probe = deliveryBody('observe', PROBE, {}, undefined);
    readObservation(probe, await deliver(config, probe, signal));
  } catch (error) {
    const message = (error as Error).message;
    const fix = /HTTP 40[13]/.test(message)
      ? 'make config.secret equal to the secret the automation verifies Paved-Signature with'
      : /breaks the protocol/.test(message)
        ? 'make the automation answer observe with {"exists": false} for an instance it does not know'
        : 'check config.url and that the automation is running';
    problems.push(`${message}; ${fix}`);
  }
  return { ok: problems.length === 0, problems, version: 'webhook protocol paved.dev/v1alpha1' };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
