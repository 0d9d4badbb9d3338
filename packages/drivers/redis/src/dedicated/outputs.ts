import { urlHost } from '@paved/driver-api';
import { TENANT_USER } from './conf-file.js';
import type { ServersConfig } from './servers-config.js';

/**
 * The non-secret outputs of a dedicated server. `prefix` is empty: the whole server is the
 * instance's, so keys need none (the product declares the output for its shared plan too).
 */
export function dedicatedPublicOutputs(config: ServersConfig, port: number): Record<string, string> {
  return { host: config.host, port: String(port), username: TENANT_USER, prefix: '' };
}

/** Every output, with the password and a ready-made redis:// URL (both secret). */
export function dedicatedOutputs(config: ServersConfig, port: number, password: string): Record<string, string> {
  const url = `redis://${TENANT_USER}:${encodeURIComponent(password)}@${urlHost(config.host)}:${port}`;
  return { ...dedicatedPublicOutputs(config, port), password, url };
}
