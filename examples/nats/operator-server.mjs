#!/usr/bin/env node
/**
 * A NATS server in operator (JWT) mode for trying the `nats` product on one machine, and the
 * Paved target that provisions on it. Run from the repository root:
 *
 *   node examples/nats/operator-server.mjs [--dir DIR] [--port PORT] [--start]
 *
 * Writes into DIR (default examples/nats/.local, which git ignores):
 *   nats.conf     the server's configuration: this operator, its system account, a full
 *                 account resolver (accounts are pushed by Paved at run time), JetStream
 *   targets.yaml  a `kind: Target` for PAVED_TARGETS_FILE, with the operator signing key and a
 *                 system-account user (admin secrets: mode 0600, like the folder)
 * Run again, it keeps what DIR holds (a new operator would orphan every account made so far).
 * With --start it then runs nats-server in the foreground (Ctrl-C stops it); without, it prints
 * the command. The keys are made with @nats-io/jwt and @nats-io/nkeys, which the nats driver
 * already depends on.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const jwt = require('@nats-io/jwt');
const nkeys = require('@nats-io/nkeys');

// Debian installs it in /usr/sbin, which is not on every user's PATH.
const NATS_SERVER = process.env.NATS_SERVER ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

const { values: options } = parseArgs({
  options: {
    dir: { type: 'string', default: new URL('.local', import.meta.url).pathname },
    port: { type: 'string' },
    start: { type: 'boolean', default: false },
  },
});
const dir = resolve(options.dir);
const config = join(dir, 'nats.conf');
const targets = join(dir, 'targets.yaml');

/** A port nothing listens on now (the server takes it a moment later). */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function create() {
  const port = options.port ? Number(options.port) : await freePort();
  const operator = nkeys.createOperator();
  // Paved signs accounts with this key, not the operator's identity key, which stays offline.
  const signing = nkeys.createOperator();
  const system = nkeys.createAccount();
  const systemUser = nkeys.createUser();
  const unlimited = { subs: -1, data: -1, payload: -1, conn: -1, imports: -1, exports: -1, leaf: -1, wildcards: true };
  const operatorJwt = await jwt.encodeOperator('paved-local', operator, { system_account: system.getPublicKey(), signing_keys: [signing.getPublicKey()] });
  const systemJwt = await jwt.encodeAccount('SYS', system, { limits: unlimited }, { signer: operator });
  const systemCreds = new TextDecoder().decode(jwt.fmtCreds(await jwt.encodeUser('paved-admin', systemUser, system), systemUser));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(config, [
    `listen: 127.0.0.1:${port}`,
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    // full: the server keeps the accounts Paved pushes; allow_delete lets Paved remove them.
    `resolver: { type: full, dir: ${JSON.stringify(join(dir, 'accounts'))}, allow_delete: true, interval: "2m" }`,
    `resolver_preload: { ${system.getPublicKey()}: ${systemJwt} }`,
    `jetstream: { store_dir: ${JSON.stringify(join(dir, 'jetstream'))}, max_file_store: 1G, max_memory_store: 64M }`,
    '',
  ].join('\n'), { mode: 0o600 });
  writeFileSync(targets, [
    // The leading --- lets this file be appended to another targets file (cat a b > both).
    '---',
    '# A NATS server in operator mode on this machine (examples/nats/operator-server.mjs).',
    '# Each `nats` instance gets its own account and a user that reaches only its stream.',
    'apiVersion: paved.dev/v1alpha1',
    'kind: Target',
    'metadata: { name: local-nats, labels: { isolation: accounts } }',
    'spec:',
    '  driver: nats',
    '  config:',
    '    mode: operator',
    `    url: "nats://127.0.0.1:${port}"`,
    `    operatorSigningKey: ${JSON.stringify(new TextDecoder().decode(signing.getSeed()))}`,
    `    systemCreds: ${JSON.stringify(systemCreds)}`,
    '',
  ].join('\n'), { mode: 0o600 });
  console.log(`wrote ${config} and ${targets} (a new operator, listening on 127.0.0.1:${port})`);
}

if (existsSync(config) && existsSync(targets)) {
  const listen = /^listen: (\S+)$/m.exec(readFileSync(config, 'utf8'))?.[1];
  console.log(`keeping the operator in ${dir} (listening on ${listen}); delete that folder to start afresh`);
} else {
  await create();
}

if (options.start) {
  console.log(`starting ${NATS_SERVER} -c ${config} (Ctrl-C stops it)`);
  const server = spawn(NATS_SERVER, ['-c', config], { stdio: 'inherit' });
  server.on('error', (error) => {
    console.error(`could not run ${NATS_SERVER} (${error.code ?? error.message}): install nats-server (e.g. apt-get install nats-server) or set NATS_SERVER to its path`);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
} else {
  console.log(`start the server:  ${NATS_SERVER} -c ${config}`);
  console.log(`then Paved with it: PAVED_TARGETS_FILE=${targets} npm start`);
}
