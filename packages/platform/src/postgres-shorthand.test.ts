import { describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { loadConfig } from './config.js';
import { loadConfiguredTargets } from './targets.js';

// PAVED_POSTGRES_URL's target closes its server's own databases unless told not to (a server
// shared with others, like the one the e2e tests use).
describe('the PAVED_POSTGRES_URL target', () => {
  const env = { PAVED_DATA_DIR: '/tmp/paved-config-test', PAVED_POSTGRES_URL: 'postgres://admin@db.internal:5432/postgres' };
  const postgresTarget = async (extra: Record<string, string>) => (await loadConfiguredTargets(loadConfig({ ...env, ...extra }))).find((t) => t.name === 'postgres');

  it('leaves closeServerDatabases to the driver by default, and passes PAVED_POSTGRES_CLOSE_SERVER_DATABASES on', async () => {
    expect((await postgresTarget({}))?.config).toEqual({ url: env.PAVED_POSTGRES_URL });
    expect((await postgresTarget({ PAVED_POSTGRES_CLOSE_SERVER_DATABASES: 'false' }))?.config).toEqual({ url: env.PAVED_POSTGRES_URL, closeServerDatabases: false });
    expect((await postgresTarget({ PAVED_POSTGRES_CLOSE_SERVER_DATABASES: 'true' }))?.config).toEqual({ url: env.PAVED_POSTGRES_URL, closeServerDatabases: true });
  });

  it('refuses another value, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ ...env, PAVED_POSTGRES_CLOSE_SERVER_DATABASES: 'no' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues).toContainEqual({ path: 'PAVED_POSTGRES_CLOSE_SERVER_DATABASES', message: 'must be "true" or "false"' });
  });
});
