import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
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

  it('writes dotenv that a sourcing shell and a dotenv parser both read back exactly, running nothing', () => {
    const values: Record<string, string> = {
      SUBST: '$(touch x)', TICKS: '`touch y`', VAR: '$HOME', QUOTE: "it's", DOUBLE: 'say "hi"', BACKSLASH: 'C:\\dir\\n\\', HASH: 'a # not a comment',
      SPACES: '  two  spaces  ', NEWLINE: 'line1\nline2', EMPTY: '', ALL_BUT_QUOTE: '$(touch x) `touch y` ${HOME} "q" \\ # a\nb', QUOTE_AND_NEWLINE: "it's # fine\n  ok",
    };
    const dir = mkdtempSync(join(tmpdir(), 'env-format-'));
    try {
      const text = formatEnv(values, 'dotenv');
      expect(text).toMatch(/[^\n]\n$/);
      writeFileSync(join(dir, '.env'), text);
      for (const [name, value] of Object.entries(values)) {
        // How a shell loads a .env file into the environment: `set -a; . ./.env`.
        const read = execFileSync('sh', ['-c', `set -a; . ./.env; printf %s "$${name}"`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/home/someone' } });
        expect(read, name).toBe(value);
      }
      expect(readdirSync(dir)).toEqual(['.env']);
      // Node's parser (node --env-file) is dotenv's: single quotes literal, double quotes expand only \n and \r.
      expect(parseEnv(text)).toEqual(values);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('single-quotes dotenv values, double-quotes one with a quote, and refuses one that no quoting keeps, without showing it', () => {
    expect(dotenvQuote('$(id) "x" \\')).toBe(`'$(id) "x" \\'`);
    expect(dotenvQuote("it's")).toBe(`"it's"`);
    for (const value of ["it's $(touch x)", "it's `id`", `it's "q"`, "it's \\", 'a\rb']) expect(dotenvQuote(value), value).toBeUndefined();
    const refusal = (() => {
      try {
        formatEnv({ OK: 'v', A_PASSWORD: "p'w$(touch x)" }, 'dotenv');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(InputError);
    expect(refusal).toMatchObject({ code: 'env_value_unquotable', message: expect.stringContaining('A_PASSWORD') });
    expect(JSON.stringify(refusal) + String((refusal as Error).message)).not.toContain('touch');
    // The shell format holds any value.
    expect(formatEnv({ X: "p'w$(touch x)" }, 'shell')).toBe(`export X='p'\\''w$(touch x)'\n`);
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
