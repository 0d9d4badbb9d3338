/** Helpers shared by this driver's test files (excluded from the build). */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type DriverContext, type Target } from '@paved/driver-api';
import type { DriverConformanceOptions } from '@paved/driver-api/conformance';
import { createWebhookDriver } from './index.js';
import { webhookCallbacks } from './callbacks.js';
import type { Automation } from './test-automation.js';

export const newSecret = () => randomBytes(32).toString('hex');

export function webhookTarget(url: string, secret: string, extra: Record<string, unknown> = {}): Target {
  return { name: 'automation', driver: 'webhook', labels: {}, config: { url, secret, ...extra } };
}

export function context(target: Target, externalName = `pv_wh_${randomBytes(5).toString('hex')}`, values: Record<string, unknown> = { size: 'small' }, signal?: AbortSignal): DriverContext {
  return {
    instance: { id: randomUUID(), team: 'team-a', name: externalName.replace(/_/g, '-'), externalName, product: 'thing', plan: 'small', values },
    target,
    secrets: { password: randomBytes(24).toString('hex') },
    signal: signal ?? new AbortController().signal,
    logger: silentLogger,
  };
}

/** Runs one of the driver's delegated checks. */
export async function runCheck(name: string, target: Target, outputs: Record<string, string>, externalName = outputs.name ?? ''): Promise<void> {
  const check = createWebhookDriver().checks?.find((c) => c.name === name);
  if (!check) throw new Error(`no check ${name}`);
  const instance = { id: randomUUID(), team: 't', name: 'n', externalName, product: 'thing', plan: 'small', values: {} };
  await check.run({ target, instance, outputs, signal: new AbortController().signal });
}

export function webhookConformance(name: string, automation: () => Automation, secret: string): DriverConformanceOptions {
  return {
    name,
    createDriver: () => createWebhookDriver(),
    target: () => webhookTarget(automation().url, secret),
    outputs: ['host', 'port', 'name', 'username', 'password'],
    values: { size: 'small' },
    update: { values: { size: 'large' } },
    useCredentials: (outputs, env) => runCheck('write-read', env.target, outputs),
    // B's password aimed at A's resource: the automation refuses the login.
    crossAccess: (victim, intruder, env) => runCheck('connect', env.target, { ...victim, password: intruder.password ?? '' }),
    inventory: async (externalName) => (automation().resources.has(externalName) ? [`resource ${externalName}`] : []),
    assertGone: async (externalName) => {
      if (automation().resources.has(externalName)) throw new Error(`${externalName} is still held by the automation`);
    },
  };
}

/** Stands in for Paved's callback route: asks the driver's verifier, as the route does, and records what arrived. */
export async function startCallbackReceiver(secret: string): Promise<{ url: string; received: { path: string; body: any; valid: boolean }[]; close(): Promise<void> }> {
  const received: { path: string; body: any; valid: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const instanceId = decodeURIComponent((req.url ?? '').split('/').at(-1) ?? '');
      const target = webhookTarget('http://127.0.0.1:9/unused', secret);
      const valid = webhookCallbacks.verify({ target, instanceId, headers: req.headers, rawBody: raw }).ok;
      received.push({ path: req.url ?? '', body: JSON.parse(raw), valid });
      res.writeHead(valid ? 202 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}
