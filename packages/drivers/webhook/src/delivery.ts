import { createHash, randomUUID } from 'node:crypto';
import { wireInstance, type DriverInstance, type WireInstance } from '@paved/driver-api';

export type Verb = 'observe' | 'create' | 'update' | 'delete' | 'check';

export const API_VERSION = 'paved.dev/v1alpha1';

/** What Paved POSTs to the automation (README.md "Requests"). */
export interface DeliveryBody {
  apiVersion: typeof API_VERSION;
  verb: Verb;
  deliveryId: string;
  /** Every field of the instance, the same as a script receives (wireInstance). */
  instance: WireInstance;
  /** Only on create and update: the verbs that (re)set credentials. Observe runs on every drift check and needs none. */
  secrets: Record<string, string>;
  callbackUrl?: string;
  /** Only on verb 'check'. */
  check?: { name: string; outputs: Record<string, string> };
}

/**
 * The delivery id of a create, update or delete is derived from what is asked (instance, verb,
 * values, a digest of the secrets), so a retry of the same call after a timeout or a crash
 * carries the same id and the automation can tell it is already working on it. A changed spec or
 * password gives a new id. Observe and check change nothing, so theirs are random.
 */
export function deliveryIdFor(verb: Verb, instance: DriverInstance, secrets: Record<string, string>): string {
  if (verb === 'observe' || verb === 'check') return randomUUID();
  const hash = createHash('sha256')
    .update(canonical({ verb, id: instance.id, externalName: instance.externalName, plan: instance.plan, values: instance.values, rotation: instance.rotation ?? 0 }))
    .update('\0');
  for (const key of Object.keys(secrets).sort()) hash.update(`${key}\0${createHash('sha256').update(secrets[key] ?? '').digest('hex')}\0`);
  return asUuid(hash.digest());
}

export function deliveryBody(
  verb: Verb,
  instance: DriverInstance,
  secrets: Record<string, string>,
  callbackUrl: string | undefined,
  check?: DeliveryBody['check'],
): DeliveryBody {
  const sendsSecrets = verb === 'create' || verb === 'update';
  return {
    apiVersion: API_VERSION,
    verb,
    deliveryId: deliveryIdFor(verb, instance, secrets),
    instance: wireInstance(instance),
    secrets: sendsSecrets ? { ...secrets } : {},
    ...(callbackUrl && verb !== 'observe' && verb !== 'check' ? { callbackUrl } : {}),
    ...(check ? { check } : {}),
  };
}

/** JSON with object keys sorted, so equal values always hash alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 16 bytes of a hash in UUID form, marked version 8 (RFC 9562: custom) with the RFC variant. */
function asUuid(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
