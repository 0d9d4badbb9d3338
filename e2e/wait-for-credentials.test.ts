/**
 * Request → credentials in hand through the built server and the client's waitForCredentials:
 * the status stream reveals the credentials with its Ready event (`?reveal=true`), so nothing is
 * asked after Ready; the reveal is the reveal route's (the same values, a `credentials.revealed`
 * event, a `revealCredentials` audit record), and a viewer may watch but not have them revealed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@paved/client';
import { NotAllowedError, type AuditRecord } from '@paved/model';
import { pavedOk, startPavedOnMachinePostgres, tempDir, type ServerProcess } from './harness.js';

describe('credentials with the Ready event', () => {
  let server: ServerProcess;
  const dir = tempDir('wait-creds');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };

  beforeAll(async () => {
    server = await startPavedOnMachinePostgres(dir, admin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('hands over the credentials with Ready, revealed and audited as the reveal route does; never to a viewer', async () => {
    await pavedOk(['teams', 'create', 'waiters'], admin);
    const member = JSON.parse(await pavedOk(['users', 'create', 'wanda', '-o', 'json'], admin)) as { token: string };
    const viewer = JSON.parse(await pavedOk(['users', 'create', 'vince', '-o', 'json'], admin)) as { token: string };
    await pavedOk(['teams', 'add-member', 'waiters', 'wanda', '--role', 'member'], admin);
    await pavedOk(['teams', 'add-member', 'waiters', 'vince', '--role', 'viewer'], admin);
    const client = createClient({ url: server.url, token: member.token });

    await client.createInstance('waiters', { name: 'signing-key', product: 'secret' });
    const { instance, credentials } = await client.waitForCredentials('waiters', 'signing-key');
    expect(instance.status.phase).toBe('Ready');
    expect(credentials.values.value).toMatch(/.{16,}/);
    expect(await client.revealCredentials('waiters', 'signing-key')).toEqual(credentials);
    // Two reveals: the stream's and the route's.
    const events = (await client.listEvents('waiters', { limit: 100 })).items.filter((e) => e.kind === 'credentials.revealed');
    expect(events.map((e) => e.actor)).toEqual(['wanda', 'wanda']);

    await expect(createClient({ url: server.url, token: viewer.token }).waitForCredentials('waiters', 'signing-key')).rejects.toThrow(NotAllowedError);

    const audit = JSON.parse(await pavedOk(['audit', 'list', '--team', 'waiters', '--action', 'revealCredentials', '-o', 'json'], admin)) as AuditRecord[];
    const byStream = audit.filter((r) => r.summary?.within === 'watchInstance');
    expect(byStream.map((r) => [r.actor, r.outcome?.result, r.outcome?.status])).toEqual([
      ['vince', 'refused', 403],
      ['wanda', 'allowed', 200],
    ]);
  }, 120_000);
});
