import { describe, expect, it } from 'vitest';
import { describeRequest, scrub } from './summaries.js';

describe('audit summaries', () => {
  it('lists the fields of a JSON body, and nothing of a raw one (a webhook delivery is bytes, not fields)', () => {
    expect(describeRequest('anUnknownOperation', {}, { name: 'x', plan: 'small' })).toEqual({ summary: { fields: ['name', 'plan'] } });
    expect(describeRequest('githubWebhook', {}, Buffer.from(JSON.stringify({ ref: 'refs/heads/main', commits: [] })))).toEqual({});
  });
});

describe('scrub', () => {
  it('blanks token-like text and cuts long strings, and a second scrub changes nothing (the recorder scrubs a description once, inside its record)', () => {
    const token = `pvd_${'A'.repeat(43)}`;
    const once = scrub({ user: `agent ${token}`, long: 'x'.repeat(300), list: [`${'y'.repeat(195)}pvd_abcdefghijklmnopqrstu`], plain: 'no token here', n: 3 });
    expect(once).toEqual({ user: 'agent pvd_[redacted]', long: `${'x'.repeat(200)}…`, list: [`${'y'.repeat(195)}pvd_a…`], plain: 'no token here', n: 3 });
    expect(scrub(once)).toEqual(once);
  });

  it('describes a request with its values scrubbed, as the recorder scrubs its record', () => {
    const token = `pvd_${'B'.repeat(43)}`;
    expect(scrub(describeRequest('createInstance', { team: token }, { name: 'n'.repeat(250), product: 'redis' }))).toEqual({
      team: 'pvd_[redacted]', target: { team: 'pvd_[redacted]', instance: `${'n'.repeat(200)}…` }, summary: { name: `${'n'.repeat(200)}…`, product: 'redis' },
    });
  });
});
