import { invalidValue } from './errors.js';

/** The plan/input values the driver applies, with their defaults. */
export interface StreamValues {
  /** Bytes the stream keeps (and the account may store). */
  maxBytes: number;
  /** Messages the stream keeps; -1 = no limit besides maxBytes. */
  maxMessages: number;
  /** How long messages are kept, in seconds; 0 = until maxBytes/maxMessages push them out. */
  maxAgeSeconds: number;
  /** Largest message accepted, in bytes. */
  maxMessageSize: number;
  storage: 'file' | 'memory';
  /** Client connections the tenant's account may hold (operator mode); -1 = no limit. */
  maxConnections: number;
  /** Consumers the tenant may create (operator mode); -1 = no limit. */
  maxConsumers: number;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function readValues(values: Record<string, unknown>): StreamValues {
  return {
    maxBytes: integer(values, 'maxBytes', 64 * 1024 * 1024, 1),
    maxMessages: integer(values, 'maxMessages', -1, -1),
    maxAgeSeconds: duration(values.maxAge),
    maxMessageSize: integer(values, 'maxMessageSize', 1024 * 1024, 1),
    storage: storage(values.storage),
    maxConnections: integer(values, 'maxConnections', -1, -1),
    maxConsumers: integer(values, 'maxConsumers', -1, -1),
  };
}

function integer(values: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const value = values[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value === 0) {
    throw invalidValue(`values.${key}`, `must be an integer ≥ ${min === -1 ? '1 (or -1 for no limit)' : min}`);
  }
  return value;
}

function duration(value: unknown): number {
  if (value === undefined || value === 0 || value === '0') return 0;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^(\d+)([smhd])$/.exec(value) : null;
  if (!match) throw invalidValue('values.maxAge', "must be a duration like '30m', '24h' or '7d' (or seconds)");
  return Number(match[1]) * UNITS[match[2]!]!;
}

function storage(value: unknown): 'file' | 'memory' {
  if (value === undefined || value === 'file' || value === 'memory') return value ?? 'file';
  throw invalidValue('values.storage', "must be 'file' or 'memory'");
}
