import type { NatsConnection } from '@nats-io/transport-node';
import { DriverError } from '@paved/model';
import { decodeJwt, encodeJwt } from './jwt.js';
import type { NKey } from './nkey.js';
import type { StreamValues } from './values.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Every limit of a tenant account, set explicitly: encodeAccount applies no defaults and an
 * absent limit reads as 0 to the server ("maximum subscriptions exceeded": trap (d) of
 * docs/drivers/nats.md). JetStream gets exactly the stream's bytes, so the reservation can never
 * outgrow the plan.
 */
export function accountLimits(values: StreamValues): Record<string, number | boolean> {
  return {
    subs: -1,
    data: -1,
    payload: values.maxMessageSize,
    conn: values.maxConnections,
    imports: 0,
    exports: 0,
    leaf: 0,
    wildcards: true,
    disk_storage: values.storage === 'file' ? values.maxBytes : 0,
    mem_storage: values.storage === 'memory' ? values.maxBytes : 0,
    streams: 1,
    consumer: values.maxConsumers,
  };
}

export function accountJwt(operator: NKey, account: NKey, signing: NKey, externalName: string, values: StreamValues): string {
  return encodeJwt(
    { sub: account.publicKey, name: externalName, nats: { type: 'account', limits: accountLimits(values), signing_keys: [signing.publicKey] } },
    operator,
    { identity: 'unique' },
  );
}

interface ServerReply {
  data?: { code?: number; message?: string; account?: string } | string[];
  error?: { code?: number; description?: string };
}

async function request(sys: NatsConnection, subject: string, body: string): Promise<ServerReply> {
  const reply = await sys.request(subject, encoder.encode(body), { timeout: 5_000 });
  return JSON.parse(decoder.decode(reply.data)) as ServerReply;
}

function failed(step: string, externalName: string, reply: ServerReply): DriverError {
  const detail = reply.error?.description ?? (Array.isArray(reply.data) ? 'unexpected reply' : reply.data?.message) ?? 'no detail';
  const code = reply.error?.code ?? (Array.isArray(reply.data) ? undefined : reply.data?.code);
  return new DriverError(`nats: ${step} failed for "${externalName}": ${detail}`, {
    code: 'nats_failed',
    // 4xx: the server refused the claim (bad signature, not the operator's key): retrying won't help.
    retryable: code === undefined || code >= 500,
  });
}

/** Pushes the account JWT ($SYS.REQ.CLAIMS.UPDATE). Idempotent: the latest JWT wins. */
export async function pushAccount(sys: NatsConnection, jwt: string, externalName: string): Promise<void> {
  const reply = await request(sys, '$SYS.REQ.CLAIMS.UPDATE', jwt);
  if (reply.error || Array.isArray(reply.data) || reply.data?.code !== 200) throw failed('push account', externalName, reply);
}

/**
 * Whether the resolver holds a live JWT for the account. CLAIMS.LIST rather than a lookup: a
 * lookup of an unknown account gets no reply at all (the resolver leaves it to cluster peers),
 * so absence would look like a timeout. Cost: the list grows with the number of accounts.
 */
export async function accountExists(sys: NatsConnection, account: string): Promise<boolean> {
  const reply = await request(sys, '$SYS.REQ.CLAIMS.LIST', '');
  if (!Array.isArray(reply.data)) throw failed('list accounts', account, reply);
  return reply.data.includes(account);
}

/** The claims of the account's current JWT, or undefined when the resolver has none. */
export async function lookupAccount(sys: NatsConnection, account: string): Promise<Record<string, unknown> | undefined> {
  if (!(await accountExists(sys, account))) return undefined;
  const reply = await sys.request(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`, new Uint8Array(), { timeout: 5_000 });
  return decodeJwt(decoder.decode(reply.data));
}

/** Deletes the account JWT with an operator-signed generic claim ($SYS.REQ.CLAIMS.DELETE). */
export async function deleteAccount(sys: NatsConnection, operator: NKey, account: string, externalName: string): Promise<void> {
  const jwt = encodeJwt({ sub: operator.publicKey, name: `delete ${externalName}`, nats: { type: 'generic', accounts: [account] } }, operator, { identity: 'unique' });
  const reply = await request(sys, '$SYS.REQ.CLAIMS.DELETE', jwt);
  if (reply.error || Array.isArray(reply.data) || reply.data?.code !== 200) throw failed('delete account', externalName, reply);
}

/** Human-readable differences between the account's claims on the server and what we would push. */
export function accountDiff(claims: Record<string, unknown>, values: StreamValues, signing: NKey): string[] {
  const nats = (claims.nats ?? {}) as { limits?: Record<string, unknown>; signing_keys?: unknown[] };
  const diff: string[] = [];
  for (const [key, wanted] of Object.entries(accountLimits(values))) {
    const actual = nats.limits?.[key];
    if (actual !== wanted) diff.push(`account limit ${key} is ${actual === undefined ? 'unset' : String(actual)}, want ${String(wanted)}`);
  }
  const keys = (nats.signing_keys ?? []).map((key) => (typeof key === 'string' ? key : (key as { key?: string }).key));
  if (keys.length !== 1 || keys[0] !== signing.publicKey) diff.push('the account does not trust the current credential (issued secrets changed)');
  return diff;
}
