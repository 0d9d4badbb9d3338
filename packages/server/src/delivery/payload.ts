import { InputError } from '@paved/model';

/**
 * Reading a webhook payload field by field: a field that is missing or of the wrong type is an
 * InputError naming it (`body.repository.full_name`), never a crash. Sources add fields over
 * time, so nothing else in the payload is checked.
 */
export type Json = Record<string, unknown>;

function invalid(path: string, expected: string): InputError {
  return new InputError(`${path} must be ${expected}`, { code: 'webhook_payload_invalid', issues: [{ path, message: `must be ${expected}` }] });
}

export class Payload {
  constructor(readonly value: Json, readonly path = 'body') {}

  static parse(raw: Buffer): Payload {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new InputError('The delivery body is not valid JSON', { code: 'invalid_json', issues: [{ path: 'body', message: 'is not valid JSON' }] });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('body', 'a JSON object');
    return new Payload(value as Json);
  }

  private at(key: string): { value: unknown; path: string } {
    return { value: this.value[key], path: `${this.path}.${key}` };
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  object(key: string): Payload {
    const { value, path } = this.at(key);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object');
    return new Payload(value as Json, path);
  }

  optionalObject(key: string): Payload | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  string(key: string): string {
    const { value, path } = this.at(key);
    if (typeof value !== 'string' || value === '') throw invalid(path, 'a non-empty string');
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** A number or string id (GitHub ids are numbers, some payloads send strings), as a string. */
  id(key: string): string {
    const { value, path } = this.at(key);
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && value !== '') return value;
    throw invalid(path, 'an id (a number or a non-empty string)');
  }

  optionalNumber(key: string): number | undefined {
    const { value, path } = this.at(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(path, 'a number');
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const { value, path } = this.at(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw invalid(path, 'true or false');
    return value;
  }

  /** The raw value, for a timestamp parser that names the path itself. */
  raw(key: string): { value: unknown; path: string } {
    return this.at(key);
  }

  array(key: string): Payload[] {
    const { value, path } = this.at(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(path, 'an array');
    return value.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`${path}[${i}]`, 'an object');
      return new Payload(item as Json, `${path}[${i}]`);
    });
  }
}
