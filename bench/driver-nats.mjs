// Micro-benchmark: the nats driver's create (operator mode) beside the same operations done
// directly with the client libraries, as docs/drivers/nats.md describes operator mode: sign an account
// JWT with @nats-io/jwt + @nats-io/nkeys, push it over $SYS.REQ.CLAIMS.UPDATE (on an open system
// connection), connect as a user of the account, create the stream, sign the user JWT. Same
// userSeed for both, interleaved, against a nats-server in operator mode started here in a temp
// dir. Prints one JSON line on stdout and a one-line summary on stderr.
//
//   npx tsc -b packages/drivers/nats && node bench/driver-nats.mjs [--runs 40]
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jwtLib from '@nats-io/jwt';
import * as nkeys from '@nats-io/nkeys';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createNatsDriver, nkeyFromRaw } from '@paved/driver-nats';
import { arg, freePort, measureInterleaved, reportComparison, tempFolder } from './lib.mjs';
import { ownProcess } from './leftovers.mjs';

// The nats client libraries are the driver's own dependencies, and the lockfile installs them
// under its package (packages/drivers/nats/node_modules), not at the root: load them from there.
const fromNatsDriver = createRequire(new URL('../packages/drivers/nats/package.json', import.meta.url));
const natsDriverDependency = (name) => import(pathToFileURL(fromNatsDriver.resolve(name)).href);
const { connect, credsAuthenticator, jwtAuthenticator } = await natsDriverDependency('@nats-io/transport-node');
const { jetstreamManager } = await natsDriverDependency('@nats-io/jetstream');

const runs = Number(arg('runs', '40'));
const te = new TextEncoder();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const dir = tempFolder('paved-bench-nats-');
const operator = nkeys.createOperator();
const signing = nkeys.createOperator();
const sys = nkeys.createAccount();
const sysUser = nkeys.createUser();
const unlimited = { subs: -1, data: -1, payload: -1, conn: -1, imports: -1, exports: -1, leaf: -1 };
const operatorJwt = await jwtLib.encodeOperator('bench', operator, { system_account: sys.getPublicKey(), signing_keys: [signing.getPublicKey()] });
const sysJwt = await jwtLib.encodeAccount('SYS', sys, { limits: unlimited }, { signer: operator });
const sysUserJwt = await jwtLib.encodeUser('sys', sysUser, sys);
const port = await freePort();
writeFileSync(
  join(dir, 'nats.conf'),
  `listen: 127.0.0.1:${port}
operator: ${operatorJwt}
system_account: ${sys.getPublicKey()}
resolver: { type: full, dir: "${join(dir, 'jwt')}", allow_delete: true }
resolver_preload: { ${sys.getPublicKey()}: ${sysJwt} }
jetstream: { store_dir: "${join(dir, 'js')}", max_file_store: 4G, max_memory_store: 64M }
`,
);
const server = ownProcess(spawn('/usr/sbin/nats-server', ['-c', join(dir, 'nats.conf')], { stdio: 'ignore' }));
await new Promise((resolve) => setTimeout(resolve, 300));

const target = {
  name: 'bench',
  driver: 'nats',
  labels: {},
  config: {
    mode: 'operator',
    url: `nats://127.0.0.1:${port}`,
    operatorSigningKey: new TextDecoder().decode(signing.getSeed()),
    systemCreds: new TextDecoder().decode(jwtLib.fmtCreds(sysUserJwt, sysUser)),
  },
};
const driver = createNatsDriver({ logger: silent });
const sysNc = await connect({ servers: `127.0.0.1:${port}`, authenticator: jwtAuthenticator(sysUserJwt, sysUser.getSeed()) });
const values = { maxBytes: 1024 * 1024, maxMessages: 1000 };

async function direct(name, userSeed) {
  const start = performance.now();
  const account = nkeys.createAccount();
  const limits = { subs: -1, data: -1, payload: 1048576, conn: -1, imports: 0, exports: 0, leaf: 0, disk_storage: values.maxBytes, mem_storage: 0, streams: 1, consumer: -1 };
  const accountJwt = await jwtLib.encodeAccount(name, account, { limits }, { signer: signing });
  const reply = JSON.parse(new TextDecoder().decode((await sysNc.request('$SYS.REQ.CLAIMS.UPDATE', te.encode(accountJwt))).data));
  if (reply.data?.code !== 200) throw new Error(`push failed: ${JSON.stringify(reply)}`);
  const user = nkeys.fromSeed(te.encode(nkeyFromRaw('user', Buffer.from(userSeed, 'hex')).seed));
  const userJwt = await jwtLib.encodeUser(name, user, account, { pub: { allow: [`${name}.>`, '$JS.API.>', '_INBOX.>'] }, sub: { allow: [`${name}.>`, '_INBOX.>'] } });
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, authenticator: credsAuthenticator(jwtLib.fmtCreds(userJwt, user)) });
  await (await jetstreamManager(nc)).streams.add({ name, subjects: [`${name}.>`], max_bytes: values.maxBytes, max_msgs: values.maxMessages, storage: 'file', num_replicas: 1 });
  await nc.close();
  const ms = performance.now() - start;
  const del = await jwtLib.encodeGeneric('del', signing, 'generic', { accounts: [account.getPublicKey()] }, { signer: signing });
  const cleanup = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, authenticator: credsAuthenticator(jwtLib.fmtCreds(userJwt, user)) });
  await (await jetstreamManager(cleanup)).streams.delete(name);
  await cleanup.close();
  await sysNc.request('$SYS.REQ.CLAIMS.DELETE', te.encode(del));
  return ms;
}

async function throughDriver(name, userSeed) {
  const ctx = {
    instance: { id: name, team: 'bench', name, externalName: name, product: 'nats', plan: 'small', values },
    target,
    secrets: { userSeed },
    signal: new AbortController().signal,
    logger: silent,
  };
  const start = performance.now();
  await driver.create(ctx);
  const ms = performance.now() - start;
  for (const step of driver.deletion) await step.run(ctx);
  return ms;
}

try {
  await throughDriver(`pv_bench_warm_${randomBytes(3).toString('hex')}`, randomBytes(32).toString('hex'));
  await direct(`pv_bench_warm_${randomBytes(3).toString('hex')}`, randomBytes(32).toString('hex'));
  const times = await measureInterleaved(
    runs,
    {
      direct: (i, userSeed) => direct(`pv_bench_d_${i}_${randomBytes(3).toString('hex')}`, userSeed),
      driver: (i, userSeed) => throughDriver(`pv_bench_p_${i}_${randomBytes(3).toString('hex')}`, userSeed),
    },
    { shared: () => randomBytes(32).toString('hex') },
  );
  reportComparison({ benchmark: 'driver-nats-create' }, times.direct, times.driver, 'driver', { digits: 3, title: 'nats create (operator mode)', directName: 'direct nkeys.js' });
} finally {
  await sysNc.close().catch(() => {});
  await driver.close?.();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
