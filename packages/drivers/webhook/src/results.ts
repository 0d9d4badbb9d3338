import { DriverError } from '@paved/model';
import { driverPending, foldLine, type ApplyResult, type Observation } from '@paved/driver-api';
import type { DeliveryAnswer } from './deliver.js';
import type { DeliveryBody } from './delivery.js';

/**
 * Reading what the automation answered. Anything that breaks the protocol is a non-retryable
 * DriverError naming the field (`issues[].path` is `response.<field>`): asking again will not
 * fix the automation.
 */

/** The instance stays Provisioning (or Deleting) with this message until the callback arrives. */
export function waiting(body: DeliveryBody, verb: string = body.verb, deliveryId: string = body.deliveryId): DriverError {
  return driverPending(`waiting for the automation to finish ${verb} (delivery ${deliveryId})`);
}

export function readObservation(body: DeliveryBody, answer: DeliveryAnswer, redact: readonly string[] = []): Observation {
  if (answer.status === 202) throw broken(body, 'status', 'observe must answer 200 with a result, not 202');
  const r = answer.result;
  const verb = optionalString(body, r, 'verb') ?? 'the last request';
  const deliveryId = optionalString(body, r, 'deliveryId');
  const error = optionalString(body, r, 'error');
  if (error !== undefined) {
    // The automation reports a failed (asynchronous) request: surface its words in the status.
    // It decides whether Paved should keep trying; by default a person has to look.
    const retryable = r.retryable === true;
    const at = deliveryId ? ` (delivery ${deliveryId})` : '';
    throw new DriverError(`the automation reports that ${verb} failed${at}: ${foldLine(error, redact, 300)}`, { retryable, code: 'webhook_failed' });
  }
  if (r.pending === true) throw waiting(body, optionalString(body, r, 'verb') ?? 'create', deliveryId ?? 'unknown');
  if (typeof r.exists !== 'boolean') throw broken(body, 'exists', 'must be true or false');
  const upToDate = r.upToDate === undefined ? true : r.upToDate;
  if (typeof upToDate !== 'boolean') throw broken(body, 'upToDate', 'must be true or false');
  const diff = r.diff === undefined ? [] : r.diff;
  if (!Array.isArray(diff) || diff.some((d) => typeof d !== 'string')) throw broken(body, 'diff', 'must be an array of strings');
  const outputs = r.outputs === undefined ? undefined : stringMap(body, r.outputs, 'outputs');
  if (!r.exists) return { exists: false, upToDate: false, diff: [] };
  return { exists: true, upToDate: upToDate && diff.length === 0, diff: diff as string[], ...(outputs ? { outputs } : {}) };
}

export function readApplyResult(body: DeliveryBody, answer: DeliveryAnswer): ApplyResult {
  if (answer.status === 202) throw waiting(body);
  return { outputs: stringMap(body, answer.result.outputs ?? {}, 'outputs') };
}

function stringMap(body: DeliveryBody, value: unknown, field: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw broken(body, field, 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    // Numbers (a port) are fine; anything else is not an output value.
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = String(v);
    else if (typeof v === 'string') out[key] = v;
    else throw broken(body, `${field}.${key}`, 'must be a string');
  }
  return out;
}

function optionalString(body: DeliveryBody, r: Record<string, unknown>, field: string): string | undefined {
  const value = r[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw broken(body, field, 'must be a string');
  return value;
}

export function broken(body: DeliveryBody, field: string, message: string): DriverError {
  return new DriverError(`webhook: the automation's answer to ${body.verb} of "${body.instance.externalName}" breaks the protocol: ${field} ${message}`, {
    retryable: false,
    code: 'webhook_bad_response',
    issues: [{ path: `response.${field}`, message }],
  });
}
