import { urlHost } from '@paved/driver-api';
import type { RedisTargetConfig } from './target-config.js';
import { keyPrefix } from './acl-rules.js';

/** The non-secret outputs, the ones observe can read back off the server. */
export function publicOutputs(config: RedisTargetConfig, externalName: string, user: string): Record<string, string> {
  return { host: config.host, port: String(config.port), username: user, prefix: keyPrefix(externalName) };
}

/** Every output, with the password and a ready-made redis:// URL (both secret). */
export function allOutputs(config: RedisTargetConfig, externalName: string, user: string, password: string): Record<string, string> {
  const scheme = config.tls ? 'rediss' : 'redis';
  const url = `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${urlHost(config.host)}:${config.port}`;
  return { ...publicOutputs(config, externalName, user), password, url };
}
