import { describe, expect, it } from 'vitest';
import { errorLine, foldLine, redactSecrets } from './index.js';

describe('redactSecrets', () => {
  it('masks every occurrence of every secret, the longest first', () => {
    expect(redactSecrets('pw=abc123 and again abc123', ['abc123'])).toBe('pw=[redacted] and again [redacted]');
    // "abc" alone first would leave "def" of the longer secret behind.
    expect(redactSecrets('token abcdef', ['abc', 'abcdef'])).toBe('token [redacted]');
    expect(redactSecrets('a secret', ['secret'], '***')).toBe('a ***');
  });

  it('ignores empty secrets instead of masking between every character', () => {
    expect(redactSecrets('plain', ['', 'x'])).toBe('plain');
  });
});

describe('errorLine', () => {
  it('keeps the first line of the message, redacted', () => {
    const error = new Error('password authentication failed for user "pv_a" (s3cret)\nDETAIL: s3cret was sent');
    expect(errorLine(error, ['s3cret'])).toBe('password authentication failed for user "pv_a" ([redacted])');
  });

  it('redacts before it cuts, so a secret spanning a line break leaves nothing', () => {
    expect(errorLine(new Error('refused: top\nsecret'), ['top\nsecret'])).toBe('refused: [redacted]');
  });

  it('reads objects with a message, and anything else as text', () => {
    expect(errorLine({ message: 'ER_ACCESS_DENIED\nsql: …', errno: 1045 })).toBe('ER_ACCESS_DENIED');
    expect(errorLine('plain text')).toBe('plain text');
    expect(errorLine(undefined)).toBe('undefined');
  });
});

describe('foldLine', () => {
  it('folds white space, redacts, then cuts with an ellipsis', () => {
    expect(foldLine('  error:\n  bad   input  ', [], 50)).toBe('error: bad input');
    expect(foldLine('0123456789', [], 4)).toBe('0123…');
    // The cut falls inside the secret: redacting first means no prefix of it is shown.
    expect(foldLine('key=0123456789abcdef', ['0123456789abcdef'], 10)).toBe('key=[redac…');
  });
});
