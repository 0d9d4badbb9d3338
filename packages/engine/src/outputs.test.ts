import { describe, expect, it } from 'vitest';
import { splitOutputs } from './outputs.js';

describe('splitOutputs', () => {
  const declared = { host: {}, password: { secret: true } };

  it('keeps declared outputs, secret ones apart, and drops what the product does not declare', () => {
    expect(splitOutputs({ host: 'h', password: 'p', adminUrl: 'x' }, declared)).toEqual({ plain: { host: 'h' }, secret: { password: 'p' } });
  });

  it('keeps every output of a product with open outputs (the built-in environment), undeclared ones as plain values', () => {
    expect(splitOutputs({ host: 'h', password: 'p', LOG_LEVEL: 'debug' }, declared, true)).toEqual({ plain: { host: 'h', LOG_LEVEL: 'debug' }, secret: { password: 'p' } });
  });
});
