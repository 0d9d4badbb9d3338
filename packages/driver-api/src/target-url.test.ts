import { describe, expect, it } from 'vitest';
import { DriverError } from '@paved/model';
import { readPublicAddress, readServerTarget, readServerUrl, targetConfigError, urlHost, type ServerUrlRules, type Target } from './index.js';

const rules: ServerUrlRules = {
  driver: 'postgres',
  field: 'url',
  schemes: ['postgres', 'postgresql'],
  example: 'postgres://admin:password@host:5432/postgres',
  defaultPort: 5432,
  defaultHost: 'localhost',
  defaultUser: 'postgres',
};
const target = (config: Record<string, unknown>): Target => ({ name: 'db', driver: 'postgres', labels: {}, config });

function failure(run: () => unknown): DriverError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DriverError);
    return error as DriverError;
  }
  throw new Error('expected a DriverError');
}

describe('readServerUrl', () => {
  it('splits a URL into decoded parts and a display without the password', () => {
    const url = readServerUrl(target({ url: 'postgres://ad%40min:p%3Aw@db.example:6543/app' }), rules);
    expect(url).toEqual({
      href: 'postgres://ad%40min:p%3Aw@db.example:6543/app',
      scheme: 'postgres',
      host: 'db.example',
      port: 6543,
      user: 'ad@min',
      password: 'p:w',
      path: 'app',
      display: 'ad@min@db.example:6543',
    });
  });

  it('fills in the default port, host and user, and brackets an IPv6 host in the display', () => {
    expect(readServerUrl(target({ url: 'postgresql://[::1]/x' }), rules)).toMatchObject({ host: '::1', port: 5432, user: 'postgres', display: 'postgres@[::1]:5432' });
    expect(readServerUrl(target({ url: 'postgres:///x' }), rules)).toMatchObject({ host: 'localhost', display: 'postgres@localhost:5432' });
    const amqp = { ...rules, driver: 'rabbitmq', field: 'amqpUrl', schemes: ['amqp', 'amqps'], defaultPort: (s: string) => (s === 'amqps' ? 5671 : 5672), defaultUser: undefined };
    expect(readServerUrl(target({ amqpUrl: 'amqps://mq' }), amqp)).toMatchObject({ port: 5671, display: 'mq:5671' });
  });

  it('uses the fallback when the field is absent', () => {
    expect(readServerUrl(target({}), { ...rules, fallback: 'postgres://127.0.0.1:5433/' }).port).toBe(5433);
  });

  it('names the field in every error and never repeats the value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'config.url is required (postgres://admin:password@host:5432/postgres)'],
      [{ url: 42 }, 'config.url must be a URL such as postgres://admin:password@host:5432/postgres'],
      [{ url: 'not a url, s3cret' }, 'config.url is not a valid URL'],
      [{ url: 'mysql://root:s3cret@h/' }, 'config.url must start with postgres:// or postgresql://'],
    ];
    for (const [config, message] of cases) {
      const error = failure(() => readServerUrl(target(config), rules));
      expect(error.message).toBe(`postgres target "db": ${message}`);
      expect(error.issues[0]?.path).toBe('config.url');
      expect(error.retryable).toBe(false);
    }
  });
});

describe('readPublicAddress', () => {
  const server = { host: 'db.internal', port: 5432 };

  it("defaults to the server's address and takes host and port (a string too) when set", () => {
    expect(readPublicAddress(target({}), 'postgres', server)).toEqual(server);
    expect(readPublicAddress(target({ host: 'db.example', port: '6000' }), 'postgres', server)).toEqual({ host: 'db.example', port: 6000 });
  });

  it('comes with the admin URL in readServerTarget', () => {
    expect(readServerTarget(target({ url: 'postgres://admin:pw@db.internal/app', host: 'db.example' }), rules)).toMatchObject({
      admin: { host: 'db.internal', user: 'admin', password: 'pw' },
      host: 'db.example',
      port: 5432,
    });
  });

  it('refuses an empty host and anything that is not a port', () => {
    expect(failure(() => readPublicAddress(target({ host: '' }), 'postgres', server)).issues).toEqual([{ path: 'config.host', message: 'must be a non-empty string' }]);
    for (const port of [0, 70000, 'x', '', 1.5]) expect(failure(() => readPublicAddress(target({ port }), 'postgres', server)).issues[0]?.path).toBe('config.port');
  });
});

describe('targetConfigError and urlHost', () => {
  it('lists every issue in one line', () => {
    const error = targetConfigError('script', target({}), { path: 'config.a', message: 'is required' }, { path: 'config.b', message: 'must be a string' });
    expect(error.message).toBe('script target "db": config.a is required; config.b must be a string');
    expect(error.code).toBe('target_config_invalid');
    expect(error.issues).toHaveLength(2);
  });

  it('brackets IPv6 addresses only', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('db.example')).toBe('db.example');
  });
});
