import { urlHost } from '@paved/driver-api';
import type { MysqlTargetConfig } from './target-config.js';

/** The non-secret outputs, the ones observe can read back off the server. */
export function publicOutputs(config: MysqlTargetConfig, database: string, username: string): Record<string, string> {
  // `name` is Score's alias for the database of a mysql resource.
  return { host: config.host, port: String(config.port), database, name: database, username };
}

/** Every output, with the password and a ready-made mysql:// URL (both secret). */
export function allOutputs(config: MysqlTargetConfig, database: string, username: string, password: string): Record<string, string> {
  const url = `mysql://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${urlHost(config.host)}:${config.port}/${encodeURIComponent(database)}`;
  return { ...publicOutputs(config, database, username), password, url };
}
