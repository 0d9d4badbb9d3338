/**
 * The wire protocol between Paved and a script: `<executable> <verb>`, one JSON document on
 * stdin, one JSON document on stdout, logs on stderr. Exit 0 = success, 2 = permanent failure
 * (bad input: retrying cannot help), anything else = failure worth retrying.
 */
import { wireInstance, type DriverContext, type DriverInstance, type Observation, type WireInstance } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import type { ScriptTargetConfig } from './target-config.js';

export const PROTOCOL_VERSION = 'paved.dev/v1alpha1';

export type Verb = 'observe' | 'create' | 'update' | 'delete' | 'check';

/** What a script reads on stdin. Secrets travel only here: never in argv or the environment. */
export interface ScriptRequest {
  apiVersion: typeof PROTOCOL_VERSION;
  verb: Verb;
  /** Every field of the instance, the same as a webhook receives (wireInstance). */
  instance: WireInstance;
  secrets: Record<string, string>;
  /** The target, with `config` minus the driver's own keys (executable, env, timeout…). */
  target: { name: string; labels: Record<string, string>; config: Record<string, unknown> };
  /** For verb 'check': which check to run and the outputs to run it with. */
  check?: { name: string; outputs: Record<string, string> };
}

export function buildRequest(
  verb: Verb,
  instance: DriverInstance,
  secrets: Record<string, string>,
  target: { name: string; labels: Record<string, string> },
  config: ScriptTargetConfig,
  check?: ScriptRequest['check'],
): ScriptRequest {
  return {
    apiVersion: PROTOCOL_VERSION,
    verb,
    instance: wireInstance(instance),
    secrets,
    target: { name: target.name, labels: target.labels, config: { ...config.settings } },
    ...(check ? { check } : {}),
  };
}

export function contextRequest(verb: Verb, ctx: DriverContext, config: ScriptTargetConfig): ScriptRequest {
  return buildRequest(verb, ctx.instance, ctx.secrets, ctx.target, config);
}

function malformed(verb: Verb, what: string): DriverError {
  // A script printing the wrong shape is a bug in the script: a retry prints the same.
  return new DriverError(`script ${verb} printed an invalid result: ${what}`, { code: 'script_result_invalid', retryable: false });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Outputs as strings: numbers and booleans are converted (a port is often printed as 5432), anything else is refused. */
export function readOutputs(verb: Verb, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw malformed(verb, '"outputs" must be an object of strings');
  const outputs: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') outputs[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') outputs[key] = String(item);
    else throw malformed(verb, `output "${key}" must be a string`);
  }
  return outputs;
}

/** `{ exists, upToDate?, diff?, outputs? }`; upToDate defaults to exists, diff to []. */
export function readObservation(parsed: unknown): Observation {
  if (!isRecord(parsed)) throw malformed('observe', 'expected an object like {"exists": true, "upToDate": true}');
  if (typeof parsed.exists !== 'boolean') throw malformed('observe', '"exists" must be true or false');
  if (parsed.upToDate !== undefined && typeof parsed.upToDate !== 'boolean') throw malformed('observe', '"upToDate" must be true or false');
  const diff = parsed.diff ?? [];
  if (!Array.isArray(diff) || !diff.every((d) => typeof d === 'string')) throw malformed('observe', '"diff" must be a list of strings');
  const observation: Observation = {
    exists: parsed.exists,
    upToDate: parsed.exists ? ((parsed.upToDate as boolean | undefined) ?? true) : false,
    diff: parsed.exists ? (diff as string[]) : [],
  };
  const outputs = readOutputs('observe', parsed.outputs);
  if (parsed.exists && Object.keys(outputs).length > 0) observation.outputs = outputs;
  return observation;
}

/** `{ outputs: {...} }` after create/update; the outputs must not be empty. */
export function readApplyResult(verb: 'create' | 'update', parsed: unknown): Record<string, string> {
  if (!isRecord(parsed)) throw malformed(verb, 'expected an object like {"outputs": {...}}');
  const outputs = readOutputs(verb, parsed.outputs);
  if (Object.keys(outputs).length === 0) throw malformed(verb, '"outputs" is missing or empty');
  return outputs;
}
