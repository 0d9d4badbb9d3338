import { expect, it } from 'vitest';
import { loadConfig } from './config.js';

const base = { PAVED_DATA_DIR: '/tmp/paved-config-test' };
const issuesOf = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    return (error as { issues: { path: string; message: string }[] }).issues;
  }
};

it('leaves sign-in off unless an issuer is set, and says so when other PAVED_OIDC_ settings are', () => {
  expect(loadConfig(base).oidc).toBeUndefined();
  expect(issuesOf({ PAVED_OIDC_CLIENT_ID: 'paved' })).toEqual([{ path: 'PAVED_OIDC_CLIENT_ID', message: expect.stringContaining('PAVED_OIDC_ISSUER is not') }]);
});

it('reads the settings with their defaults, the callback from where Paved listens', () => {
  const { oidc } = loadConfig({ ...base, PAVED_OIDC_ISSUER: 'https://idp.example.com/realms/eng', PAVED_OIDC_CLIENT_ID: 'paved', PAVED_PORT: '8080', PAVED_OIDC_ALLOWED_DOMAINS: 'Example.com, corp.example.org' });
  expect(oidc).toMatchObject({
    issuer: 'https://idp.example.com/realms/eng', clientId: 'paved', scopes: ['openid', 'profile', 'email'], usernameClaim: 'preferred_username', groupsClaim: 'groups',
    redirectUri: 'http://127.0.0.1:8080/api/v1/auth/oidc/callback', sessionTtlMs: 12 * 3_600_000, allowedDomains: ['example.com', 'corp.example.org'],
  });
  expect(oidc!.groupPattern.exec('paved:payments:owner')?.groups).toMatchObject({ team: 'payments', role: 'owner' });
  expect(oidc).not.toHaveProperty('adminGroup');
});

it('names every problem at once', () => {
  const issues = issuesOf({
    PAVED_OIDC_ISSUER: 'http://idp.example.com', PAVED_OIDC_SCOPES: 'profile', PAVED_OIDC_GROUP_PATTERN: '^paved:(?<team>.*)$',
    PAVED_OIDC_SESSION_TTL: '30d', PAVED_HOST: '0.0.0.0', PAVED_OIDC_ALLOWED_DOMAINS: 'not a domain',
  });
  expect(issues.map((i) => i.path).sort()).toEqual([
    'PAVED_OIDC_ALLOWED_DOMAINS', 'PAVED_OIDC_CLIENT_ID', 'PAVED_OIDC_GROUP_PATTERN', 'PAVED_OIDC_ISSUER', 'PAVED_OIDC_REDIRECT_URI', 'PAVED_OIDC_SCOPES', 'PAVED_OIDC_SESSION_TTL',
  ]);
  expect(issues.find((i) => i.path === 'PAVED_OIDC_GROUP_PATTERN')?.message).toContain('(?<role>…)');
  expect(issuesOf({ PAVED_OIDC_ISSUER: 'http://127.0.0.1:9000', PAVED_OIDC_CLIENT_ID: 'paved', PAVED_OIDC_REDIRECT_URI: 'https://paved.example.com/wrong' }))
    .toEqual([{ path: 'PAVED_OIDC_REDIRECT_URI', message: 'must end with /api/v1/auth/oidc/callback' }]);
});
