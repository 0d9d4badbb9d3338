import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { credentialVariables, defaultPrefix, dotenvQuote, formatEnv, shellQuote } from './env-format.js';

const creds = (instance: string, values: Record<string, string>) => ({ instance, team: 't', values });
const tricky = `it's "quoted" \\ $HOME \`x\`\nline2`;

describe('credential variables', () => {
  it('prefixes with the upper-cased instance name by default', () => {
    expect(defaultPrefix('orders-db')).toBe('ORDERS_DB_');
    expect(credentialVariables([creds('orders-db', { password: 'p', host: 'h' })], undefined)).toEqual({ ORDERS_DB_PASSWORD: 'p', ORDERS_DB_HOST: 'h' });
  });

  it('honours --prefix and --no-prefix', () => {
    expect(credentialVariables([creds('orders-db', { url: 'u' })], 'DB_')).toEqual({ DB_URL: 'u' });
    expect(credentialVariables([creds('orders-db', { url: 'u' })], false)).toEqual({ URL: 'u' });
  });

  it('refuses two outputs that land on the same variable', () => {
    expect(() => credentialVariables([creds('a', { url: '1' }), creds('b', { url: '2' })], false)).toThrow(InputError);
  });

  it('refuses a prefix that makes an invalid name', () => {
    expect(() => credentialVariables([creds('a', { url: '1' })], '1-')).toThrow(/not a valid environment variable name/);
  });
});

describe('formatEnv', () => {
  const vars = { A_URL: 'postgres://u:p@h/db', A_PASSWORD: tricky };

  it('writes dotenv with double quotes and escapes', () => {
    expect(dotenvQuote('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(formatEnv({ X: 'v' }, 'dotenv')).toBe('X="v"\n');
  });

  it('writes shell exports that a real shell reads back unchanged', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const script = formatEnv(vars, 'shell') + 'printf "%s|%s" "$A_URL" "$A_PASSWORD"';
    expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' })).toBe(`${vars.A_URL}|${tricky}`);
  });

  it('writes json as an object', () => {
    expect(JSON.parse(formatEnv(vars, 'json'))).toEqual(vars);
  });
});
