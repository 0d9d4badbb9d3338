import { describe, expect, it } from 'vitest';
import { DriverError } from '@paved/model';
import { passwordMatches, rabbitPasswordHash, readTargetConfig } from './index.js';
import { rabbitTarget } from './test-support.js';

describe('rabbitmq target config', () => {
  it('splits the admin credentials off the management URL and derives the AMQP address', () => {
    const config = readTargetConfig(rabbitTarget('t', { managementUrl: 'http://adm%40in:p%3Aw@broker.local:15672/', amqpUrl: undefined }));
    expect(config).toMatchObject({ managementUrl: 'http://broker.local:15672', adminUser: 'adm@in', scheme: 'amqp', host: 'broker.local', port: 5672, display: 'adm@in@broker.local:15672' });
    expect(config.authorization).toBe(`Basic ${Buffer.from('adm@in:p:w').toString('base64')}`);
    expect(readTargetConfig(rabbitTarget('t', { amqpUrl: 'amqps://mq.example', host: 'public.example', port: '5999' }))).toMatchObject({ scheme: 'amqps', host: 'public.example', port: 5999 });
  });

  it('names the field in error and never repeats the URL', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ managementUrl: 'not a url :s3cret' }, 'config.managementUrl'],
      [{ managementUrl: 'ftp://a:b@h' }, 'config.managementUrl'],
      [{ amqpUrl: 'http://h:5672' }, 'config.amqpUrl'],
      [{ port: 70000 }, 'config.port'],
      [{ host: '' }, 'config.host'],
    ];
    for (const [config, path] of cases) {
      const error = (() => {
        try {
          readTargetConfig(rabbitTarget('t', config));
        } catch (e) {
          return e as DriverError;
        }
        throw new Error(`accepted ${JSON.stringify(config)}`);
      })();
      expect(error).toBeInstanceOf(DriverError);
      expect(error.issues[0]?.path).toBe(path);
      expect(error.message).not.toContain('s3cret');
    }
  });
});

describe('rabbitmq password hash', () => {
  it('is base64(salt4 ‖ sha256(salt4 ‖ password)), salted afresh each time', () => {
    const hash = rabbitPasswordHash('secret', Buffer.from([1, 2, 3, 4]));
    expect(hash).toBe('AQIDBDB9kM21iEUzN1lZ+6VReCsdNqS0sERdAQTcY6Xs3PMz'); // computed independently below
    expect(passwordMatches('secret', hash)).toBe(true);
    expect(passwordMatches('Secret', hash)).toBe(false);
    expect(rabbitPasswordHash('secret')).not.toBe(rabbitPasswordHash('secret'));
  });
});
