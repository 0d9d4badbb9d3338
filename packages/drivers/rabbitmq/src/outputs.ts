import { urlHost } from '@paved/driver-api';
import type { RabbitmqTargetConfig } from './target-config.js';

/** The non-secret outputs, the ones observe can read back off the broker. */
export function publicOutputs(config: RabbitmqTargetConfig, vhost: string, username: string): Record<string, string> {
  return { host: config.host, port: String(config.port), vhost, username };
}

/** Every output, with the password and a ready-made AMQP URL (both secret). */
export function allOutputs(config: RabbitmqTargetConfig, vhost: string, username: string, password: string): Record<string, string> {
  return { ...publicOutputs(config, vhost, username), password, url: amqpUrl(config.scheme, config.host, config.port, vhost, username, password) };
}

/**
 * An AMQP URI. The vhost is the path, percent-encoded as one segment: '/' must become %2F or
 * the broker reads another vhost (the default vhost '/' itself is `amqp://host/%2F`).
 */
export function amqpUrl(scheme: string, host: string, port: number | string, vhost: string, username: string, password: string): string {
  return `${scheme}://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${urlHost(host)}:${port}/${encodeURIComponent(vhost)}`;
}
