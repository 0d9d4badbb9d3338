import { randomBytes } from 'node:crypto';
import type { Authenticator, NatsConnection } from '@nats-io/transport-node';
import { natsTransport } from './nats-client.js';
import { encodeJwt } from './jwt.js';
import { nkeyFromRaw, type NKey } from './nkey.js';
import type { NatsTargetConfig, OperatorTargetConfig } from './target-config.js';

/** Answers the server's nonce with a node:crypto signature (nkeys.js would take ≈ 4.5 ms). */
export function jwtAuthenticator(jwt: string, key: NKey): Authenticator {
  return (nonce?: string) => ({ jwt, nkey: key.publicKey, sig: nonce ? key.sign(nonce).toString('base64url') : '' });
}

export interface ConnectOptions {
  servers: string;
  authenticator?: Authenticator;
  user?: string;
  pass?: string;
  name: string;
}

/** One short-lived connection: no reconnects, so a refused login fails fast instead of looping. */
export function openConnection(options: ConnectOptions): Promise<NatsConnection> {
  return natsTransport().connect({
    servers: options.servers,
    name: options.name,
    reconnect: false,
    timeout: 5_000,
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
    ...(options.user !== undefined ? { user: options.user, pass: options.pass ?? '' } : {}),
  });
}

export async function withConnection<T>(options: ConnectOptions, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await openConnection(options);
  try {
    return await work(nc);
  } finally {
    await nc.close().catch(() => {});
  }
}

/** The driver's own connection to a target: the system account (operator) or the admin user (shared). */
export function adminConnectOptions(config: NatsTargetConfig): ConnectOptions {
  if (config.mode === 'shared') return { servers: config.servers, name: 'paved-driver', ...(config.user !== undefined ? { user: config.user, pass: config.pass ?? '' } : {}) };
  return { servers: config.servers, name: 'paved-driver-system', authenticator: jwtAuthenticator(config.system.jwt, config.system.seed) };
}

/**
 * A throwaway user inside a tenant's account, for the driver's own stream management. It is
 * minted offline with a fresh key, signed by the account key, and expires in five minutes, so
 * nothing lasting is created and nothing needs revoking.
 */
export function tenantAdminConnectOptions(config: OperatorTargetConfig, account: NKey): ConnectOptions {
  const user = nkeyFromRaw('user', randomBytes(32));
  const jwt = encodeJwt(
    { sub: user.publicKey, name: 'paved-driver', exp: Math.floor(Date.now() / 1000) + 300, nats: { type: 'user', subs: -1, data: -1, payload: -1, pub: {}, sub: {} } },
    account,
    { identity: 'unique' },
  );
  return { servers: config.servers, name: 'paved-driver-tenant', authenticator: jwtAuthenticator(jwt, user) };
}
