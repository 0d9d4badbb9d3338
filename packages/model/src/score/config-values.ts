import { InputError, type FieldIssue } from '../errors.js';

/** An environment variable's name, as shells and Score's placeholders (`${resources.env.NAME}`) take it. */
const VALUE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_VALUES = 200;
const MAX_VALUE_LENGTH = 4096;

/**
 * Checks a map of config values (a service's own config, an environment's variables): names
 * a shell and a placeholder accept, string values of bounded size, a bounded count. Every
 * problem at once, each naming its key under `field`.
 */
export function checkConfigValues(values: Record<string, unknown>, field: string): void {
  const issues: FieldIssue[] = [];
  const entries = Object.entries(values);
  if (entries.length > MAX_VALUES) issues.push({ path: field, message: `at most ${MAX_VALUES} values` });
  for (const [name, value] of entries) {
    if (!VALUE_NAME.test(name)) issues.push({ path: `${field}.${name}`, message: 'is not a variable name: letters, digits and "_", not starting with a digit, at most 128 characters' });
    if (typeof value !== 'string') issues.push({ path: `${field}.${name}`, message: 'must be a string' });
    else if (value.length > MAX_VALUE_LENGTH) issues.push({ path: `${field}.${name}`, message: `is longer than ${MAX_VALUE_LENGTH} characters` });
  }
  if (issues.length === 0) return;
  throw new InputError(`invalid ${field}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { code: 'config_values_invalid', issues });
}
