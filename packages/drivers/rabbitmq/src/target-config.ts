import { readPublicAddress, readServerUrl, targetConfigError, urlHost, type Target } from '@paved/driver-api';

/** A RabbitMQ target's settings, read from `target.config`. */
export interface RabbitmqTargetConfig {
  /** Base URL of the management HTTP API, without credentials and without a trailing '/'. */
  managementUrl: string;
  /** `Basic …` header for the admin. Never logged. */
  authorization: string;
  adminUser: string;
  /** 'amqp' or 'amqps': the scheme of the URLs handed to instances. */
  scheme: 'amqp' | 'amqps';
  /** Host and port handed to instances in their outputs (the broker's public AMQP address). */
  host: string;
  port: number;
  /** The admin's address without its password, safe for messages. */
  display: string;
}

/**
 * Config: `{ managementUrl: 'http://admin:pw@host:15672', amqpUrl?: 'amqp://host:5672', host?, port? }`.
 * amqpUrl defaults to amqp://<management host>:5672; host/port default to those of amqpUrl.
 */
export function readTargetConfig(target: Target): RabbitmqTargetConfig {
  const management = readServerUrl(target, {
    driver: 'rabbitmq',
    field: 'managementUrl',
    schemes: ['http', 'https'],
    example: 'http://admin:password@host:15672',
    defaultPort: (scheme) => (scheme === 'https' ? 443 : 80),
  });
  if (management.user === '') {
    throw targetConfigError('rabbitmq', target, { path: 'config.managementUrl', message: 'must name the admin user and password (http://admin:password@host:15672)' });
  }
  const amqp = readServerUrl(target, {
    driver: 'rabbitmq',
    field: 'amqpUrl',
    schemes: ['amqp', 'amqps'],
    example: 'amqp://host:5672',
    defaultPort: (scheme) => (scheme === 'amqps' ? 5671 : 5672),
    fallback: `amqp://${urlHost(management.host)}:5672`,
  });
  const base = new URL(management.href);
  base.username = '';
  base.password = '';
  return {
    managementUrl: base.href.replace(/\/+$/, ''),
    authorization: `Basic ${Buffer.from(`${management.user}:${management.password}`).toString('base64')}`,
    adminUser: management.user,
    scheme: amqp.scheme === 'amqps' ? 'amqps' : 'amqp',
    ...readPublicAddress(target, 'rabbitmq', amqp),
    display: management.display,
  };
}
