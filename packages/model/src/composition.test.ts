import { describe, expect, it } from 'vitest';
import { orderIncludes, parseOutputFrom, partInstanceName } from './composition.js';
import { isValidName } from './names.js';

describe('composition helpers', () => {
  it('names a part <parent>-<part>, and shortens a long one with a hash', () => {
    expect(partInstanceName('orders', 'db')).toBe('orders-db');
    const long = partInstanceName('a-rather-long-service-name-for-orders', 'database');
    expect(long).toHaveLength(40);
    expect(isValidName(long)).toBe(true);
    expect(long).not.toBe(partInstanceName('a-rather-long-service-name-for-orders', 'databasf'));
  });

  it('orders parts after what they depend on, keeping manifest order otherwise', () => {
    const result = orderIncludes([
      { name: 'app', product: 'x', dependsOn: ['db', 'key'] },
      { name: 'key', product: 'secret' },
      { name: 'db', product: 'postgres' },
    ]);
    expect('order' in result && result.order.map((i) => i.name)).toEqual(['db', 'key', 'app']);
  });

  it('reports a cycle with its path', () => {
    const result = orderIncludes([
      { name: 'a', product: 'x', dependsOn: ['b'] },
      { name: 'b', product: 'x', dependsOn: ['c'] },
      { name: 'c', product: 'x', dependsOn: ['a'] },
    ]);
    expect(result).toEqual({ cycle: ['a', 'b', 'c', 'a'] });
  });

  it('parses from references', () => {
    expect(parseOutputFrom('db.password')).toEqual({ part: 'db', output: 'password' });
    expect(parseOutputFrom('nodot')).toBeUndefined();
    expect(parseOutputFrom('.x')).toBeUndefined();
  });
});
