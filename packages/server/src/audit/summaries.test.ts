import { describe, expect, it } from 'vitest';
import { describeRequest } from './summaries.js';

describe('audit summaries', () => {
  it('lists the fields of a JSON body, and nothing of a raw one (a webhook delivery is bytes, not fields)', () => {
    expect(describeRequest('anUnknownOperation', {}, { name: 'x', plan: 'small' })).toEqual({ summary: { fields: ['name', 'plan'] } });
    expect(describeRequest('githubWebhook', {}, Buffer.from(JSON.stringify({ ref: 'refs/heads/main', commits: [] })))).toEqual({});
  });
});
