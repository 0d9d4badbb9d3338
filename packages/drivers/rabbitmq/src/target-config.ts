import { DriverError } from '@paved/model';
import type { Target } from '@paved/driver-api';

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
  const { managementUrl, amqpUrl, host, port } = target.config;
  if (typeof managementUrl !== 'string' || managementUrl === '') {
    throw invalid(target, 'config.managementUrl', 'is required (http://admin:password@host:15672)');
  }
  const management = parseUrl(target, 'config.managementUrl', managementUrl);
  if (management.protocol !== 'http:' && management.protocol !== 'https:') throw invalid(target, 'config.managementUrl', 'must start with http:// or https://');
  const adminUser = decodeURIComponent(management.username);
  if (adminUser === '') throw invalid(target, 'config.managementUrl', 'must name the admin user and password (http://admin:password@host:15672)');
  const adminPassword = decodeURIComponent(management.password);

  if (amqpUrl !== undefined && (typeof amqpUrl !== 'string' || amqpUrl === '')) throw invalid(target, 'config.amqpUrl', 'must be a non-empty string');
  const amqp = parseUrl(target, 'config.amqpUrl', (amqpUrl as string | undefined) ?? `amqp://${management.host.replace(/:\d+$/, '')}:5672`);
  if (amqp.protocol !== 'amqp:' && amqp.protocol !== 'amqps:') throw invalid(target, 'config.amqpUrl', 'must start with amqp:// or amqps://');
  const scheme = amqp.protocol === 'amqps:' ? 'amqps' : 'amqp';

  if (host !== undefined && (typeof host !== 'string' || host === '')) throw invalid(target, 'config.host', 'must be a non-empty string');
  const portValue = port ?? (amqp.port === '' ? (scheme === 'amqps' ? 5671 : 5672) : Number(amqp.port));
  const portNumber = typeof portValue === 'string' ? Number(portValue) : portValue;
  if (typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw invalid(target, 'config.port', 'must be a port number');
  }
  const publicHost = (host as string | undefined) ?? amqp.hostname.replace(/^\[|\]$/g, '');

  const base = new URL(management.href);
  base.username = '';
  base.password = '';
  return {
    managementUrl: base.href.replace(/\/+$/, ''),
    authorization: `Basic ${Buffer.from(`${adminUser}:${adminPassword}`).toString('base64')}`,
    adminUser,
    scheme,
    host: publicHost || 'localhost',
    port: portNumber,
    display: `${adminUser}@${management.host}`,
  };
}

function parseUrl(target: Target, path: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    // The value itself is not repeated: it may hold the admin's password.
    throw invalid(target, path, 'is not a valid URL');
  }
}

function invalid(target: Target, path: string, message: string): DriverError {
  return new DriverError(`rabbitmq target "${target.name}": ${path} ${message}`, {
    code: 'target_config_invalid',
    retryable: false,
    issues: [{ path, message }],
  });
}
