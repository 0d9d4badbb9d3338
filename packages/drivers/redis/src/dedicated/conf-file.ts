/**
 * The config file and aclfile of an instance's server. Paved owns both and writes them whole;
 * the tenant can change neither (CONFIG SET/REWRITE and ACL are refused to it, DEFAULT_USER_RULES).
 */
import type { InstanceFiles } from './layout.js';
import type { ServersConfig, WantedServer } from './servers-config.js';

/** Paved's own user on every instance's server: supervises, rotates, reads the configuration. */
export const ADMIN_USER = 'paved';
/** The tenant's user: the one a client that sends only a password gets (AUTH <password>). */
export const TENANT_USER = 'default';

/**
 * The tenant may do anything to its own data (KEYS, FLUSHALL, INFO, SELECT, EVAL, MONITOR…), so
 * an ordinary application works unchanged. Refused: what would reach past the server or undo
 * Paved's supervision: CONFIG SET/REWRITE (a new memory limit, password or dir), ACL, MODULE
 * (native code), DEBUG, SHUTDOWN, replication and MIGRATE (connections to any host), FAILOVER.
 */
export const DEFAULT_USER_RULES: readonly string[] = Object.freeze([
  'resetkeys', '~*', 'resetchannels', '&*', '+@all',
  '-config|set', '-config|rewrite', '-acl', '-module', '-debug', '-shutdown',
  '-replicaof', '-slaveof', '-sync', '-psync', '-failover', '-migrate',
]);

export function saveDirective(wanted: WantedServer): string {
  return wanted.persistence === 'rdb' ? '3600 1 300 100 60 10000' : '';
}

/** redis.conf for the instance's server; `set-proc-title no` keeps the config path in its command line, which identifies it. */
export function renderConf(config: ServersConfig, files: InstanceFiles, port: number, wanted: WantedServer, externalName: string): string {
  return [
    `# Written by Paved for instance ${externalName}; Paved rewrites it, edit the plan instead.`,
    `bind ${config.bind}`,
    `port ${port}`,
    'protected-mode yes',
    'daemonize no',
    'set-proc-title no',
    `pidfile ${files.pid}`,
    `logfile ${files.log}`,
    `dir ${files.data}`,
    `aclfile ${files.acl}`,
    `maxmemory ${wanted.maxmemory}`,
    `maxmemory-policy ${wanted.maxmemoryPolicy}`,
    `appendonly ${wanted.persistence === 'aof' ? 'yes' : 'no'}`,
    'appendfsync everysec',
    `save "${saveDirective(wanted)}"`,
    'enable-protected-configs no',
    'enable-debug-command no',
    'enable-module-command no',
    '',
  ].join('\n');
}

/** The aclfile a server starts with: the tenant's user with its password hashes, and Paved's. */
export function renderAcl(tenantHashes: readonly string[], adminHash: string): string {
  return [
    `user ${TENANT_USER} on ${tenantHashes.map((hash) => `#${hash}`).join(' ')} ${DEFAULT_USER_RULES.join(' ')}`,
    `user ${ADMIN_USER} on #${adminHash} ~* &* +@all`,
    '',
  ].join('\n');
}
