import { describe, expect, it } from 'vitest';
import { DriverError, errorCatalogue, InputError, NotAllowedError, NotFoundError, UnauthenticatedError } from '@paved/model';
import { createColors } from './colors.js';
import { exitCodeFor, formatError } from './exit-codes.js';

const plain = createColors(false);

describe('exit codes', () => {
  it('come from errorCatalogue', () => {
    expect(exitCodeFor(new NotFoundError('x'))).toBe(errorCatalogue['not-found'].exitCode);
    expect(exitCodeFor(new DriverError('x'))).toBe(errorCatalogue.driver.exitCode);
    expect(exitCodeFor(new Error('bug'))).toBe(errorCatalogue.internal.exitCode);
  });

  it('prints the message, one line per issue and a hint', () => {
    const text = formatError(new InputError('bad input', { issues: [{ path: 'spec.version', message: 'must be semver' }] }), plain);
    expect(text).toBe('error: bad input\n  - spec.version: must be semver\n');
    expect(formatError(new UnauthenticatedError(), plain)).toContain('hint: sign in with: paved login');
    expect(formatError(new NotAllowedError('You may not publish x: team "t" is not a platform team (paved teams update t --platform)'), plain)).not.toContain('hint:');
    expect(formatError(new NotAllowedError('You may not read team t'), plain)).toContain('hint: ask an owner of the team');
    expect(formatError(new NotAllowedError('You are not a member of team t', { code: 'not_team_member' }), plain)).toContain('hint: ask an owner of the team');
    expect(formatError(new NotAllowedError('Refused by a policy:\n  policy p: plan large is for prod only', { code: 'policy_denied' }), plain)).not.toContain('hint:');
  });

  it('does not repeat issues that a multi-line message already lists', () => {
    const text = formatError(new InputError('two problems:\n  a: x\n  b: y', { issues: [{ path: 'a', message: 'x' }] }), plain);
    expect(text).toBe('error: two problems:\n  a: x\n  b: y\n');
  });

  it('prints a one-problem error once: the message already names its subject', () => {
    const missing = new NotFoundError('Team "nope" does not exist; see your teams with: paved teams', { issues: [{ path: 'team', message: 'no such team' }] });
    expect(formatError(missing, plain)).toBe('error: Team "nope" does not exist; see your teams with: paved teams\n');
    // Two issues are still listed, each on its line.
    const two = new InputError('the service has problems', { issues: [{ path: 'service.name', message: 'x' }, { path: 'service.repo', message: 'y' }] });
    expect(formatError(two, plain)).toBe('error: the service has problems\n  - service.name: x\n  - service.repo: y\n');
  });
});
