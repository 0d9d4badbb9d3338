import { describe, expect, it } from 'vitest';
import { cannotConnect, preflightWith, targetConfigError, type Target } from './index.js';

const target: Target = { name: 'db', driver: 'postgres', labels: {}, config: {} };

describe('preflightWith', () => {
  it('hands what prepare made to the check and returns its result', async () => {
    const result = await preflightWith(target, (t) => `client for ${t.name}`, async (client) => ({ ok: true, problems: [], version: client }));
    expect(result).toEqual({ ok: true, problems: [], version: 'client for db' });
  });

  it('turns a config error into one problem per field, never a throw', async () => {
    const result = await preflightWith(
      target,
      (t) => {
        throw targetConfigError('script', t, { path: 'config.executable', message: 'is required' }, { path: 'config.timeout', message: "must be a duration such as '30s'" });
      },
      async () => ({ ok: true, problems: [] }),
    );
    expect(result).toEqual({ ok: false, problems: ['config.executable is required', "config.timeout must be a duration such as '30s'"] });
  });

  it('reports what a check threw instead of reporting, on one line', async () => {
    const result = await preflightWith(target, () => undefined, async () => {
      throw new Error('socket hang up\n    at TLSSocket…');
    });
    expect(result).toEqual({ ok: false, problems: ['socket hang up'] });
  });
});

describe('cannotConnect', () => {
  it('names the server and the admin, keeps the reason to one line and redacts the admin password', () => {
    const problem = cannotConnect('PostgreSQL', { display: 'admin@db:5432', password: 's3cret' }, new Error('password "s3cret" refused\nDETAIL: …'));
    expect(problem).toBe('cannot connect to PostgreSQL as admin@db:5432: password "[redacted]" refused; check config.url and that the server is running');
  });
});
