import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { loadConfig } from './config.js';
import { loadTls } from './tls.js';

function issuesOf(env: NodeJS.ProcessEnv): { path: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('config_invalid');
    return (error as InputError).issues;
  }
  throw new Error('expected config_invalid');
}

describe('loadConfig: limits and TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-config-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, 'cert');
  writeFileSync(key, 'key');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has generous defaults and takes the limits from the environment', () => {
    expect(loadConfig({ PAVED_DATA_DIR: dir }).limits).toEqual({ requestsPerHour: 7200, authFailuresPerMinute: 30, signInStartsPerMinute: 60, streamsPerUser: 20 });
    const set = loadConfig({ PAVED_DATA_DIR: dir, PAVED_RATE_LIMIT: '0', PAVED_AUTH_FAILURE_LIMIT: '5', PAVED_SIGN_IN_START_LIMIT: '7', PAVED_STREAMS_PER_USER: '3' });
    expect(set.limits).toEqual({ requestsPerHour: 0, authFailuresPerMinute: 5, signInStartsPerMinute: 7, streamsPerUser: 3 });
    expect(issuesOf({ PAVED_DATA_DIR: dir, PAVED_RATE_LIMIT: 'lots', PAVED_SIGN_IN_START_LIMIT: '0', PAVED_STREAMS_PER_USER: '0' }).map((i) => i.path)).toEqual(['PAVED_RATE_LIMIT', 'PAVED_SIGN_IN_START_LIMIT', 'PAVED_STREAMS_PER_USER']);
  });

  it('takes both TLS files or neither, and names the variable that is wrong', () => {
    expect(loadConfig({ PAVED_DATA_DIR: dir }).tls).toBeUndefined();
    expect(loadConfig({ PAVED_DATA_DIR: dir, PAVED_TLS_CERT_FILE: cert, PAVED_TLS_KEY_FILE: key }).tls).toEqual({ certFile: cert, keyFile: key });
    expect(issuesOf({ PAVED_DATA_DIR: dir, PAVED_TLS_CERT_FILE: cert })).toEqual([
      { path: 'PAVED_TLS_KEY_FILE', message: 'is required with PAVED_TLS_CERT_FILE (set both to serve HTTPS, or neither)' },
    ]);
    expect(issuesOf({ PAVED_DATA_DIR: dir, PAVED_TLS_KEY_FILE: key })[0]!.path).toBe('PAVED_TLS_CERT_FILE');
    expect(issuesOf({ PAVED_DATA_DIR: dir, PAVED_TLS_CERT_FILE: cert, PAVED_TLS_KEY_FILE: join(dir, 'missing.pem') })).toEqual([
      { path: 'PAVED_TLS_KEY_FILE', message: `cannot read ${join(dir, 'missing.pem')}` },
    ]);
  });

  it('refuses at start TLS files that are not a PEM certificate and its key, naming both', async () => {
    await expect(loadTls({ certFile: cert, keyFile: key })).rejects.toMatchObject({
      code: 'config_invalid',
      issues: [{ path: 'PAVED_TLS_CERT_FILE' }, { path: 'PAVED_TLS_KEY_FILE' }],
    });
  });

  it('refuses a duration a timer cannot hold', () => {
    expect(issuesOf({ PAVED_DATA_DIR: dir, PAVED_DRIFT_INTERVAL: '99999999999h' })[0]).toMatchObject({ path: 'PAVED_DRIFT_INTERVAL', message: expect.stringContaining('from 1ms to 24h') });
  });
});
describe('delivery and DORA configuration', () => {
  it('defaults to DevLake\'s patterns and UTC, and takes the webhook secrets from the environment', () => {
    const config = loadConfig({ PAVED_DATA_DIR: '/tmp/paved-config-test', PAVED_GITHUB_WEBHOOK_SECRET: 'gh', PAVED_GITLAB_WEBHOOK_TOKEN: 'gl' });
    expect(config.delivery).toEqual({
      settings: { productionEnvironments: '(?i)prod', incidentLabel: '(?i)^incident$', timeZone: 'UTC' },
      githubWebhookSecret: 'gh',
      gitlabWebhookToken: 'gl',
    });
  });

  it('names every invalid setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ PAVED_DATA_DIR: '/tmp/paved-config-test', PAVED_DORA_PRODUCTION_ENVIRONMENTS: '(?i)prod(', PAVED_DORA_TIME_ZONE: 'Mars/Olympus' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'config_invalid' });
    expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['PAVED_DORA_PRODUCTION_ENVIRONMENTS', 'PAVED_DORA_TIME_ZONE']);
  });
});
