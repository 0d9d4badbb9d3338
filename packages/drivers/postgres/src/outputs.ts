import { urlHost } from '@paved/driver-api';
import type { PostgresTargetConfig } from './target-config.js';

/**
 * The non-secret outputs, the ones observe can read back off the server. `username` is the
 * current credential's login: the owner role itself until the first rotation.
 */
export function publicOutputs(config: PostgresTargetConfig, name: string, username = name): Record<string, string> {
  return { host: config.host, port: String(config.port), database: name, username };
}

/** Every output, with the password and a ready-made connection URL (both secret). */
export function allOutputs(config: PostgresTargetConfig, name: string, password: string, username = name): Record<string, string> {
  const url = `postgres://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${urlHost(config.host)}:${config.port}/${encodeURIComponent(name)}`;
  return { ...publicOutputs(config, name, username), password, url };
}
