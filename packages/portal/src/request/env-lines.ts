import type { Credentials } from '@paved/model';

/**
 * Credentials as dotenv lines, named and quoted as `paved env` writes them (orders-db's password
 * → ORDERS_DB_PASSWORD='…'; packages/cli/src/env-format.ts, which says why: a .env file is also
 * sourced by shells, and only single quotes keep `$(…)`, backticks and `$VAR` from being run or
 * expanded there). A value no dotenv quoting keeps is left out, with a comment saying where to
 * get it instead. env-lines.test.ts holds the two to the same lines.
 */
export function envLines(credentials: Credentials): string {
  const variable = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return Object.entries(credentials.values).map(([output, value]) => {
    const name = `${variable(credentials.instance)}_${variable(output)}`;
    const quoted = dotenvQuoted(value);
    return quoted === undefined ? `# ${name}: not writable as a dotenv line; use paved env ${credentials.instance} --format shell` : `${name}=${quoted}`;
  }).join('\n') + '\n';
}

function dotenvQuoted(value: string): string | undefined {
  if (value.includes('\r')) return undefined;
  if (!value.includes("'")) return `'${value}'`;
  return /[$`"\\]/.test(value) ? undefined : `"${value}"`;
}
