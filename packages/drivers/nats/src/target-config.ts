import type { DriverError } from '@paved/model';
import { readServerUrl, targetConfigError, urlHost, type Target } from '@paved/driver-api';
import { nkeyFromSeed, type NKey } from './nkey.js';
import { parseCreds } from './jwt.js';

/**
 * 'operator': nats-server in operator/JWT mode with a full resolver; one account per instance,
 * real isolation (docs/drivers/nats.md). 'shared': a plain server, one stream per instance in
 * the shared account: NO access isolation, for development only.
 */
export type NatsMode = 'operator' | 'shared';

interface CommonConfig {
  /** Where the driver connects, e.g. nats://127.0.0.1:4222 (user:password@ allowed in shared mode). */
  servers: string;
  user?: string;
  pass?: string;
  /** The address handed to instances (no credentials), e.g. nats://nats.internal:4222. */
  publicUrl: string;
  /** The admin address without credentials, safe for messages. */
  display: string;
}

export interface OperatorTargetConfig extends CommonConfig {
  mode: 'operator';
  /** Signs account JWTs and account deletions: the operator's key or one of its signing keys. */
  operatorKey: NKey;
  /** A user of the system account, allowed to publish $SYS.REQ.CLAIMS.*. */
  system: { jwt: string; seed: NKey };
  /** Secret from which every instance's account key is derived; must never change for a target. */
  accountKeySecret: string;
}

export interface SharedTargetConfig extends CommonConfig {
  mode: 'shared';
}

export type NatsTargetConfig = OperatorTargetConfig | SharedTargetConfig;

/**
 * Target config:
 *   { mode: 'operator', url?, publicUrl?, operatorSigningKey: 'SO…', systemCreds: '<.creds text>', accountKeySecret? }
 *   { mode: 'shared', url?, publicUrl? }
 * url defaults to nats://127.0.0.1:4222. accountKeySecret defaults to the operator signing key.
 */
export function readTargetConfig(target: Target): NatsTargetConfig {
  const config = target.config;
  const mode = config.mode ?? 'operator';
  if (mode !== 'operator' && mode !== 'shared') throw invalid(target, 'config.mode', "must be 'operator' (isolated accounts) or 'shared' (development only, no isolation)");
  const server = readServerUrl(target, {
    driver: 'nats',
    field: 'url',
    schemes: ['nats', 'tls'],
    example: 'nats://host:4222',
    defaultPort: 4222,
    fallback: 'nats://127.0.0.1:4222',
  });
  const hostPort = `${urlHost(server.host)}:${server.port}`;
  const publicUrl = config.publicUrl ?? `${server.scheme}://${hostPort}`;
  if (typeof publicUrl !== 'string' || !/^(nats|tls):\/\/[^@/]+$/.test(publicUrl)) {
    throw invalid(target, 'config.publicUrl', 'must be nats://host:port without credentials');
  }
  const common: CommonConfig = {
    servers: hostPort,
    ...(server.user === '' ? {} : { user: server.user, pass: server.password }),
    publicUrl,
    display: server.display,
  };
  if (mode === 'shared') return { mode, ...common };

  const { operatorSigningKey, systemCreds, accountKeySecret } = config;
  if (typeof operatorSigningKey !== 'string' || !operatorSigningKey.startsWith('SO')) {
    throw invalid(target, 'config.operatorSigningKey', "is required in operator mode: the operator's signing key seed (SO…)");
  }
  let operatorKey: NKey;
  try {
    operatorKey = nkeyFromSeed(operatorSigningKey);
  } catch {
    throw invalid(target, 'config.operatorSigningKey', 'is not a valid operator seed (SO…)');
  }
  if (typeof systemCreds !== 'string') throw invalid(target, 'config.systemCreds', 'is required in operator mode: the .creds text of a system-account user');
  let system: OperatorTargetConfig['system'];
  try {
    const creds = parseCreds(systemCreds);
    system = { jwt: creds.jwt, seed: nkeyFromSeed(creds.seed) };
  } catch {
    throw invalid(target, 'config.systemCreds', 'is not a valid .creds text (user JWT and SU… seed)');
  }
  if (accountKeySecret !== undefined && (typeof accountKeySecret !== 'string' || accountKeySecret.length < 32)) {
    throw invalid(target, 'config.accountKeySecret', 'must be a string of at least 32 characters');
  }
  return { mode, ...common, operatorKey, system, accountKeySecret: (accountKeySecret as string | undefined) ?? operatorSigningKey };
}

function invalid(target: Target, path: string, message: string): DriverError {
  return targetConfigError('nats', target, { path, message });
}
