/**
 * Reading where a target's server is. Most drivers are given a URL carrying the admin's
 * credentials (`postgres://admin:pw@db:5432/postgres`) and, optionally, `host` and `port`: the
 * address instances are told to use when it differs from Paved's (a proxy, a public DNS name).
 * Every problem is a DriverError naming the field; none repeats the value, which may hold a
 * password.
 */
import { DriverError, type FieldIssue } from '@paved/model';
import type { Target } from './index.js';

/** A target config that cannot be used, one issue per field at fault. Retrying cannot help. */
export function targetConfigError(driver: string, target: Target, ...issues: FieldIssue[]): DriverError {
  return new DriverError(`${driver} target "${target.name}": ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`, {
    code: 'target_config_invalid',
    retryable: false,
    issues,
  });
}

export interface ServerUrlRules {
  /** The driver type, first word of every message: 'postgres'. */
  driver: string;
  /** The field of `target.config` holding the URL: 'url'. */
  field: string;
  /** Accepted schemes, without '://': ['postgres', 'postgresql']. */
  schemes: readonly string[];
  /** A valid value, shown when the field is missing: 'postgres://admin:password@host:5432/postgres'. */
  example: string;
  /** Port of a URL that names none; a function where it depends on the scheme (amqps: 5671). */
  defaultPort: number | ((scheme: string) => number);
  /** Host of a URL that names none (default 127.0.0.1). */
  defaultHost?: string;
  /** User of a URL that names none: the server's own default login ('postgres', 'root'). */
  defaultUser?: string;
  /** The value when the field is absent; without one the field is required. */
  fallback?: string;
}

/** A server URL, read and checked. */
export interface ServerUrl {
  /** The value as configured, credentials included: for the driver's own client, never for a message. */
  href: string;
  /** Without ':', e.g. 'rediss'. */
  scheme: string;
  /** Percent-decoded, without the brackets of an IPv6 address. */
  host: string;
  port: number;
  user: string;
  /** The admin's password, '' when none: redact it from anything the server says. */
  password: string;
  /** The path without its leading '/', e.g. the database of `redis://h/0`. */
  path: string;
  /** `user@host:port` (`host:port` without a user): names the admin in messages, never with the password. */
  display: string;
}

/** `host` as it must appear in a URL or `host:port`: an IPv6 address goes in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Reads and checks the URL in `target.config[rules.field]`. */
export function readServerUrl(target: Target, rules: ServerUrlRules): ServerUrl {
  const path = `config.${rules.field}`;
  const fail = (message: string) => targetConfigError(rules.driver, target, { path, message });
  const value = target.config[rules.field] ?? rules.fallback;
  if (value === undefined || value === '') throw fail(`is required (${rules.example})`);
  if (typeof value !== 'string') throw fail(`must be a URL such as ${rules.example}`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw fail('is not a valid URL');
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!rules.schemes.includes(scheme)) throw fail(`must start with ${rules.schemes.map((s) => `${s}://`).join(' or ')}`);
  const defaultPort = typeof rules.defaultPort === 'function' ? rules.defaultPort(scheme) : rules.defaultPort;
  const host = decode(parsed.hostname.replace(/^\[|\]$/g, '')) || (rules.defaultHost ?? '127.0.0.1');
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  const user = decode(parsed.username) || (rules.defaultUser ?? '');
  return {
    href: value,
    scheme,
    host,
    port,
    user,
    password: decode(parsed.password),
    path: decode(parsed.pathname.replace(/^\//, '')),
    display: `${user === '' ? '' : `${user}@`}${urlHost(host)}:${port}`,
  };
}

/** A target that is one server: the admin's URL, and the address instances are told to use. */
export interface ServerTarget {
  admin: ServerUrl;
  host: string;
  port: number;
}

/** Reads the admin's URL from `config[rules.field]`, then the public address (readPublicAddress). */
export function readServerTarget(target: Target, rules: ServerUrlRules): ServerTarget {
  const admin = readServerUrl(target, rules);
  return { admin, ...readPublicAddress(target, rules.driver, admin) };
}

/**
 * Where instances are told to connect: `config.host` and `config.port` when set, else the
 * server's own address. Either may be set alone; a port may be given as a string.
 */
export function readPublicAddress(target: Target, driver: string, server: { host: string; port: number }): { host: string; port: number } {
  const { host, port } = target.config;
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    throw targetConfigError(driver, target, { path: 'config.host', message: 'must be a non-empty string' });
  }
  const portNumber = typeof port === 'string' && port !== '' ? Number(port) : (port ?? server.port);
  if (typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw targetConfigError(driver, target, { path: 'config.port', message: 'must be a port number' });
  }
  return { host: (host as string | undefined) ?? server.host, port: portNumber };
}

/** A percent-encoded URL part, decoded; a malformed escape is kept as written. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
