/**
 * Helpers shared by this driver's tests (excluded from the build). `startOperatorServer` runs a
 * real nats-server in operator mode with a full resolver in a temp dir; its operator and system
 * account are made with @nats-io/jwt + @nats-io/nkeys (not this driver's own signing code), so
 * the driver's JWTs are checked by a server that trusts keys it did not mint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { connect } from '@nats-io/transport-node';
import type { Target } from '@paved/driver-api';
import { decodeJwt } from './jwt.js';
import { accountKey, readTargetConfig } from './index.js';

const require = createRequire(import.meta.url);
const jwtLib = require('@nats-io/jwt') as typeof import('@nats-io/jwt');
const nkeys = require('@nats-io/nkeys') as typeof import('@nats-io/nkeys');

export const NATS_BINARY = '/usr/sbin/nats-server';
export const MACHINE_URL = 'nats://127.0.0.1:4222';

export interface OperatorServer {
  target: Target;
  dir: string;
  /** Live (not deleted) account JWTs in the resolver dir, by account name. */
  liveAccountNames(): string[];
  /** Whether any stream file of `externalName` is still on disk, in any account. */
  streamFilesLeft(externalName: string): boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
    try {
      const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 500 });
      await nc.close();
      return;
    } catch (error) {
      // An authorization error means the server is up and asking for credentials.
      if (/authoriz/i.test((error as Error).message)) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nats-server did not start listening');
}

export async function startOperatorServer(): Promise<OperatorServer> {
  const dir = mkdtempSync(join(tmpdir(), 'paved-nats-'));
  const operator = nkeys.createOperator();
  const signing = nkeys.createOperator();
  const sys = nkeys.createAccount();
  const sysUser = nkeys.createUser();
  const unlimited = { subs: -1, data: -1, payload: -1, conn: -1, imports: -1, exports: -1, leaf: -1, wildcards: true };
  const operatorJwt = await jwtLib.encodeOperator('paved-test', operator, { system_account: sys.getPublicKey(), signing_keys: [signing.getPublicKey()] });
  const sysJwt = await jwtLib.encodeAccount('SYS', sys, { limits: unlimited }, { signer: operator });
  const sysUserJwt = await jwtLib.encodeUser('sys', sysUser, sys);
  const port = await freePort();
  const config = join(dir, 'nats.conf');
  writeFileSync(
    config,
    `listen: 127.0.0.1:${port}
operator: ${operatorJwt}
system_account: ${sys.getPublicKey()}
resolver: { type: full, dir: "${join(dir, 'jwt')}", allow_delete: true, interval: "2m" }
resolver_preload: { ${sys.getPublicKey()}: ${sysJwt} }
jetstream: { store_dir: "${join(dir, 'js')}", max_file_store: 1G, max_memory_store: 64M }
`,
  );
  const child = spawn(NATS_BINARY, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  await waitForPort(port, child);
  const systemCreds = new TextDecoder().decode(jwtLib.fmtCreds(sysUserJwt, sysUser) as unknown as Uint8Array);
  const target: Target = {
    name: 'nats-operator-test',
    driver: 'nats',
    labels: { isolation: 'accounts' },
    config: { mode: 'operator', url: `nats://127.0.0.1:${port}`, operatorSigningKey: new TextDecoder().decode(signing.getSeed()), systemCreds },
  };
  return {
    target,
    dir,
    liveAccountNames() {
      const jwtDir = join(dir, 'jwt');
      if (!existsSync(jwtDir)) return [];
      return readdirSync(jwtDir)
        .filter((file) => file.endsWith('.jwt'))
        .map((file) => String(decodeJwt(readFileSync(join(jwtDir, file), 'utf8')).name ?? ''));
    },
    streamFilesLeft(externalName) {
      const root = join(dir, 'js', 'jetstream');
      if (!existsSync(root)) return false;
      return readdirSync(root).some((account) => existsSync(join(root, account, 'streams', externalName)));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The account public key the driver uses for `externalName` on `target`. */
export function accountOf(target: Target, externalName: string): string {
  const config = readTargetConfig(target);
  if (config.mode !== 'operator') throw new Error('not an operator target');
  return accountKey(config, externalName).publicKey;
}

/** Why the machine's plain NATS cannot be used (one line), or undefined when it answers with JetStream. */
export async function machineUnreachable(): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: '127.0.0.1:4222', reconnect: false, timeout: 2_000 });
    const js = (nc.info as { jetstream?: boolean } | undefined)?.jetstream;
    await nc.close();
    return js ? undefined : 'NATS at 127.0.0.1:4222 runs without JetStream';
  } catch (error) {
    return `NATS at 127.0.0.1:4222 is not reachable (${(error as Error).message})`;
  }
}

export function natsBinaryMissing(): string | undefined {
  return existsSync(NATS_BINARY) ? undefined : `${NATS_BINARY} is not installed`;
}

export function sharedTarget(): Target {
  return { name: 'nats-machine-shared', driver: 'nats', labels: {}, config: { mode: 'shared', url: MACHINE_URL } };
}
