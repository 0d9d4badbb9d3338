import type { PostgresTargetConfig } from './target-config.js';

/** The non-secret outputs, the ones observe can read back off the server. */
export function publicOutputs(config: PostgresTargetConfig, name: string): Record<string, string> {
  return { host: config.host, port: String(config.port), database: name, username: name };
}

/** Every output, with the password and a ready-made connection URL (both secret). */
export function allOutputs(config: PostgresTargetConfig, name: string, password: string): Record<string, string> {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `postgres://${encodeURIComponent(name)}:${encodeURIComponent(password)}@${host}:${config.port}/${encodeURIComponent(name)}`;
  return { ...publicOutputs(config, name), password, url };
}
