import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

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
