import { readServerTarget, targetConfigError, type ServerTarget, type Target } from '@paved/driver-api';

/** How tenant logins authenticate: `ed25519` (MariaDB's auth_ed25519) or the legacy SHA-1 scheme. */
export type AuthPlugin = 'ed25519' | 'mysql_native_password';
export const AUTH_PLUGINS: readonly AuthPlugin[] = ['ed25519', 'mysql_native_password'];

/**
 * Where tenants connect from when the target does not say: this server's own host only. `%`
 * (anywhere) is never assumed; a platform team that wants it lists it.
 */
export const DEFAULT_CLIENT_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '::1']);

/**
 * A MariaDB target: `{ url: 'mysql://admin:pw@host:3306/', host?, port?, clientHosts?,
 * authPlugin? }`: the admin's connection, the address instances are told to use (default: the
 * URL's), the host patterns tenant logins may connect from, and how they authenticate.
 */
export interface MysqlTargetConfig extends ServerTarget {
  /** One account per pattern: `'<login>'@'<pattern>'`; MariaDB host patterns (`10.1.%`, `10.0.0.0/255.255.0.0`, `app.internal`, `%`). */
  clientHosts: readonly string[];
  /** Whether clientHosts was left to its default (preflight says what that means). */
  clientHostsDefaulted: boolean;
  /** Wanted plugin; ed25519 falls back to mysql_native_password only where the server lacks it (auth.ts). */
  authPlugin: AuthPlugin;
}

// A host pattern as MariaDB takes it (name, address, `%`/`_` wildcards, IPv4 netmask), without
// quotes or backslashes, which have no place in one and would need escaping in SQL text.
const HOST_PATTERN = /^[A-Za-z0-9.:%_/-]{1,255}$/;
const MAX_HOSTS = 32;

export function readTargetConfig(target: Target): MysqlTargetConfig {
  const server = readServerTarget(target, {
    driver: 'mysql',
    field: 'url',
    schemes: ['mysql', 'mariadb'],
    example: 'mysql://admin:password@host:3306/',
    defaultPort: 3306,
    defaultUser: 'root',
  });
  const { clientHosts, authPlugin = 'ed25519' } = target.config;
  if (clientHosts !== undefined) {
    const valid = Array.isArray(clientHosts) && clientHosts.length >= 1 && clientHosts.length <= MAX_HOSTS
      && clientHosts.every((host) => typeof host === 'string' && HOST_PATTERN.test(host)) && new Set(clientHosts).size === clientHosts.length;
    if (!valid) {
      throw targetConfigError('mysql', target, {
        path: 'config.clientHosts',
        message: `must list 1 to ${MAX_HOSTS} distinct MariaDB host patterns such as "10.0.0.0/255.255.0.0", "10.1.%" or "app.internal" ("%" for anywhere)`,
      });
    }
  }
  if (typeof authPlugin !== 'string' || !(AUTH_PLUGINS as readonly string[]).includes(authPlugin)) {
    throw targetConfigError('mysql', target, { path: 'config.authPlugin', message: `must be ${AUTH_PLUGINS.join(' or ')}` });
  }
  return {
    ...server,
    clientHosts: (clientHosts as string[] | undefined) ?? DEFAULT_CLIENT_HOSTS,
    clientHostsDefaulted: clientHosts === undefined,
    authPlugin: authPlugin as AuthPlugin,
  };
}
