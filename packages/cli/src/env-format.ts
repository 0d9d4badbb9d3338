import { InputError, type Credentials } from '@paved/model';

export type EnvFormat = 'dotenv' | 'json' | 'shell';
export const ENV_FORMATS: readonly EnvFormat[] = ['dotenv', 'json', 'shell'];

/** `--prefix P` (a string), `--no-prefix` (false), or neither (undefined: the instance's own prefix). */
export type PrefixOption = string | false | undefined;

const upper = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/** orders-db → ORDERS_DB_ */
export function defaultPrefix(instance: string): string {
  return `${upper(instance)}_`;
}

const validName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variables of one or more instances' credentials; two outputs landing on one name is an error, never a silent overwrite. */
export function credentialVariables(all: readonly Credentials[], prefix: PrefixOption): Record<string, string> {
  const vars: Record<string, string> = {};
  const from: Record<string, string> = {};
  for (const creds of all) {
    const p = prefix === false ? '' : prefix ?? defaultPrefix(creds.instance);
    for (const [output, value] of Object.entries(creds.values)) {
      const name = p + upper(output);
      const source = `${creds.instance}.${output}`;
      if (!validName.test(name)) {
        throw new InputError(`"${name}" is not a valid environment variable name`, { code: 'env_name_invalid', issues: [{ path: '--prefix', message: `makes "${name}" from ${source}` }] });
      }
      if (name in vars) {
        throw new InputError(`${source} and ${from[name]} both become ${name}`, {
          code: 'env_name_clash', issues: [{ path: '--prefix', message: 'use distinct prefixes (drop --no-prefix)' }],
        });
      }
      vars[name] = value;
      from[name] = source;
    }
  }
  return vars;
}

/**
 * The value quoted so that a POSIX shell (`set -a; . ./.env`), the dotenv package and
 * `node --env-file` all read it back unchanged, or undefined when no quoting does. A .env file is
 * sourced by shells, and a value comes from a driver or an automation (any text): inside double
 * quotes a shell runs `$(…)` and `` `…` `` and expands `$VAR`, and dotenv unescapes neither `\\`
 * nor `\"`. So single quotes, inside which none of them changes anything (newlines included).
 * dotenv has no way to write ' inside '…': such a value is double-quoted, which all of them read
 * alike only without $, `, ", \ and carriage returns (dotenv turns those into newlines).
 */
export function dotenvQuote(value: string): string | undefined {
  if (value.includes('\r')) return undefined;
  if (!value.includes("'")) return `'${value}'`;
  return /[$`"\\]/.test(value) ? undefined : `"${value}"`;
}

/** Single-quoted for POSIX shells: nothing is special inside '…' except ' itself, written '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function formatEnv(vars: Record<string, string>, format: EnvFormat): string {
  const entries = Object.entries(vars);
  switch (format) {
    case 'json':
      return JSON.stringify(vars, null, 2) + '\n';
    case 'shell':
      return entries.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('');
    case 'dotenv':
      return entries.map(([k, v]) => `${k}=${dotenvQuote(v) ?? unquotable(k)}\n`).join('');
  }
}

/** A value no dotenv quoting keeps: refused rather than written as something a shell would run or dotenv would change. Never quotes the value (a secret). */
function unquotable(name: string): never {
  throw new InputError(`${name} holds a ' together with $, \`, ", \\ or a carriage return: no dotenv quoting reads it back unchanged both in a shell and in dotenv; use --format shell or --format json`, {
    code: 'env_value_unquotable', issues: [{ path: '--format', message: `dotenv cannot hold the value of ${name}` }],
  });
}
