/**
 * A small but real automation for tests (excluded from the build): a node:http server that
 * speaks the webhook protocol of README.md with an in-memory map of resources. It verifies every
 * request's signature, and in async mode answers 202 and later POSTs a signed callback, as a
 * platform team's automation would. Used by this package's tests, the e2e test and the bench.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeader, verifySignature } from './signature.js';

export interface AutomationResource {
  externalName: string;
  values: Record<string, unknown>;
  password: string;
  /** What write-read checks wrote. */
  data: Map<string, string>;
}

interface InFlight {
  verb: string;
  deliveryId: string;
}

export interface ReceivedRequest {
  verb: string;
  deliveryId: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
  raw: string;
}

export interface AutomationOptions {
  secret: string;
  /** 'sync': 200 at once; 'async': 202, then the work and the callback after `delayMs`. */
  mode?: 'sync' | 'async';
  delayMs?: number;
}

export interface Automation {
  url: string;
  resources: Map<string, AutomationResource>;
  requests: ReceivedRequest[];
  mode: 'sync' | 'async';
  delayMs: number;
  /** Answer the next `times` requests with this status (and a body that echoes the secrets, to prove they are redacted). */
  failNext(status: number, times?: number): void;
  /** Hold the next answer this long (timeouts). */
  stallNext(ms: number): void;
  /** The next asynchronous create/update/delete ends in failure with this error. */
  failNextAsync(error: string): void;
  /** Callbacks sent, with the answer Paved gave. */
  callbacks: { url: string; status: number; body: Record<string, unknown> }[];
  /** Waits until no asynchronous work is left. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startAutomation(options: AutomationOptions): Promise<Automation> {
  const resources = new Map<string, AutomationResource>();
  const inFlight = new Map<string, InFlight>();
  const failures = new Map<string, InFlight & { error: string }>();
  const requests: ReceivedRequest[] = [];
  const callbacks: Automation['callbacks'] = [];
  const timers = new Set<Promise<void>>();
  let failing: { status: number; times: number } | undefined;
  let stall = 0;
  let asyncFailure: string | undefined;

  const outputsOf = (r: AutomationResource) => ({ host: 'automation.test', port: '7000', name: r.externalName, username: r.externalName, password: r.password });

  const automation: Automation = {
    url: '',
    resources,
    requests,
    mode: options.mode ?? 'sync',
    delayMs: options.delayMs ?? 50,
    callbacks,
    failNext(status, times = 1) {
      failing = { status, times };
    },
    stallNext(ms) {
      stall = ms;
    },
    failNextAsync(error) {
      asyncFailure = error;
    },
    async idle() {
      while (timers.size > 0) await Promise.all([...timers]);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  /** Does the work of create/update/delete; returns the result (or throws the failure). */
  const perform = (verb: string, body: Record<string, any>): Record<string, unknown> => {
    const name = body.instance.externalName as string;
    if (verb === 'delete') {
      resources.delete(name);
      return {};
    }
    const password = body.secrets.password as string;
    const existing = resources.get(name);
    const resource = { externalName: name, values: body.instance.values, password, data: existing?.data ?? new Map() };
    resources.set(name, resource);
    return { outputs: outputsOf(resource) };
  };

  const sendCallback = async (url: string, payload: Record<string, unknown>) => {
    const raw = JSON.stringify(payload);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'paved-signature': signatureHeader(options.secret, raw) }, body: raw });
    callbacks.push({ url, status: response.status, body: payload });
  };

  const matches = (body: Record<string, any>) => {
    const r = resources.get(body.instance.externalName);
    return r !== undefined && r.password === body.secrets.password && JSON.stringify(r.values) === JSON.stringify(body.instance.values);
  };

  const handle = (verb: string, body: Record<string, any>): { status: number; result?: Record<string, unknown> } => {
    const name = body.instance.externalName as string;
    if (verb === 'observe') {
      const working = inFlight.get(name);
      if (working) return { status: 200, result: { exists: resources.has(name), pending: true, verb: working.verb, deliveryId: working.deliveryId } };
      const failed = failures.get(name);
      if (failed) return { status: 200, result: { exists: false, error: failed.error, verb: failed.verb, deliveryId: failed.deliveryId } };
      const r = resources.get(name);
      if (!r) return { status: 200, result: { exists: false } };
      const diff = JSON.stringify(r.values) === JSON.stringify(body.instance.values) ? [] : ['values differ'];
      const { password: _password, ...plain } = outputsOf(r);
      return { status: 200, result: { exists: true, upToDate: diff.length === 0, diff, outputs: plain } };
    }
    if (verb === 'check') return { status: 200, result: runCheck(body) };
    // Same delivery still being worked on: say so again, start nothing twice.
    const working = inFlight.get(name);
    if (working?.deliveryId === body.deliveryId) return { status: 202, result: { accepted: true } };
    // Already so: answer at once (this is how Paved collects outputs after an async create).
    if ((verb === 'create' || verb === 'update') && matches(body)) return { status: 200, result: perform(verb, body) };
    if (verb === 'delete' && !resources.has(name) && !working) return { status: 200, result: {} };
    failures.delete(name);
    if (automation.mode === 'sync' || !body.callbackUrl) return { status: 200, result: perform(verb, body) };
    inFlight.set(name, { verb, deliveryId: body.deliveryId });
    const failure = asyncFailure;
    asyncFailure = undefined;
    const job = (async () => {
      await new Promise((r) => setTimeout(r, automation.delayMs));
      inFlight.delete(name);
      if (failure) {
        failures.set(name, { verb, deliveryId: body.deliveryId, error: failure });
        await sendCallback(body.callbackUrl, { instanceId: body.instance.id, deliveryId: body.deliveryId, verb, status: 'failed', error: failure });
      } else {
        const result = perform(verb, body);
        await sendCallback(body.callbackUrl, { instanceId: body.instance.id, deliveryId: body.deliveryId, verb, status: 'succeeded', ...result });
      }
    })().catch(() => {});
    timers.add(job);
    void job.finally(() => timers.delete(job));
    return { status: 202, result: { accepted: true } };
  };

  const runCheck = (body: Record<string, any>): Record<string, unknown> => {
    const { name, outputs } = body.check as { name: string; outputs: Record<string, string> };
    const own = resources.get(outputs.name ?? '');
    const authenticated = own !== undefined && own.password === outputs.password;
    if (name === 'connect') return authenticated ? { ok: true } : { ok: false, error: `login ${outputs.username} refused` };
    if (name === 'write-read') {
      if (!authenticated) return { ok: false, error: `login ${outputs.username} refused` };
      own.data.set('probe', 'value');
      const read = own.data.get('probe');
      own.data.delete('probe');
      return read === 'value' ? { ok: true } : { ok: false, error: 'read back something else' };
    }
    if (name === 'isolation') {
      // These credentials must open no other resource.
      const reachable = [...resources.values()].filter((r) => r.externalName !== outputs.name && r.password === outputs.password);
      return reachable.length === 0 ? { ok: true } : { ok: false, error: `credentials open ${reachable[0]!.externalName}` };
    }
    return { ok: false, error: `unknown check ${name}` };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const reply = (status: number, result: unknown) => {
        const send = () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(result));
        };
        const wait = stall;
        stall = 0;
        if (wait > 0) setTimeout(send, wait);
        else send();
      };
      const check = verifySignature(req.headers['paved-signature'] as string | undefined, raw, options.secret);
      if (!check.ok) return reply(401, { error: `signature ${check.reason}` });
      let body: Record<string, any>;
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(400, { error: 'not JSON' });
      }
      requests.push({ verb: body.verb, deliveryId: body.deliveryId, headers: req.headers, body, raw });
      if (failing && failing.times > 0) {
        failing.times -= 1;
        // An unhelpful automation that echoes what it got: the driver must redact it.
        return reply(failing.status, { error: 'boom', echo: body.secrets });
      }
      const { status, result } = handle(body.verb, body);
      reply(status, result ?? {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  automation.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/paved`;
  return automation;
}
