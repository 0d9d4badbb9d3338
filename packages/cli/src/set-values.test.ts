import { describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { mergeInputs, parseSetValues } from './set-values.js';

describe('parseSetValues', () => {
  it('parses JSON values when they parse and keeps strings otherwise', () => {
    expect(parseSetValues(['n=20', 'on=true', 'list=["citext"]', 'name=orders', 'empty=', 'quoted="42"', 'eq=a=b'])).toEqual({
      n: 20, on: true, list: ['citext'], name: 'orders', empty: '', quoted: '42', eq: 'a=b',
    });
  });

  it('makes nested objects from dotted keys', () => {
    expect(parseSetValues(['limits.cpu=2', 'limits.memory=512Mi', 'a.b.c=null'])).toEqual({ limits: { cpu: 2, memory: '512Mi' }, a: { b: { c: null } } });
  });

  it.each([['novalue'], ['=1'], ['a..b=1'], ['__proto__.x=1']])('rejects %s naming --set', (pair) => {
    const error = (() => { try { parseSetValues([pair]); } catch (e) { return e; } })() as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.issues[0]?.path).toBe('--set');
  });

  it('rejects a key that is both a value and an object', () => {
    expect(() => parseSetValues(['a=1', 'a.b=2'])).toThrow(InputError);
    expect(() => parseSetValues(['a.b=2', 'a=1'])).toThrow(InputError);
  });
});

describe('mergeInputs', () => {
  it('merges objects deeply and replaces arrays and scalars', () => {
    expect(mergeInputs({ a: { x: 1, y: 2 }, list: [1, 2], keep: true }, { a: { y: 3 }, list: [3] })).toEqual({ a: { x: 1, y: 3 }, list: [3], keep: true });
  });
});
