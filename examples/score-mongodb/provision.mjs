#!/usr/bin/env node
// The platform team's automation behind the document-db product (Score type `mongodb`), run by
// Paved's script driver:  provision.mjs observe|create|update|delete  (request as JSON on stdin).
//
// It stands in for the team's real automation (a call to their MongoDB operator or their
// database service's API): it records each database in the team's inventory folder,
// <inventory>/<externalName>.json (mode 0600, the password's SHA-256, never the password), and
// answers the outputs a Score file reads. It does not start or reach a MongoDB server.
//
// Protocol: one JSON result on stdout, logs on stderr; exit 0 = done, 2 = permanent failure.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

class Permanent extends Error {}
const NAME = /^[a-z0-9_]{1,63}$/;
const sha256 = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function settings(request) {
  const { host, port, inventory } = request.target?.config ?? {};
  if (typeof host !== 'string' || host === '') throw new Permanent(`target "${request.target?.name}" has no config.host`);
  if (!Number.isInteger(port)) throw new Permanent(`target "${request.target?.name}" has no numeric config.port`);
  if (typeof inventory !== 'string' || !isAbsolute(inventory)) throw new Permanent(`target "${request.target?.name}" has no absolute config.inventory`);
  const name = request.instance?.externalName;
  if (typeof name !== 'string' || !NAME.test(name)) throw new Permanent('instance.externalName must match [a-z0-9_]{1,63}');
  return { host, port, name, file: join(inventory, `${name}.json`), inventory };
}

const read = (file) => readFile(file, 'utf8').then(JSON.parse, (error) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));

async function observe(request) {
  const { host, port, name, file } = settings(request);
  const entry = await read(file);
  if (!entry) return { exists: false, upToDate: false };
  const diff = entry.password === sha256(request.secrets.password ?? '') ? [] : ['the user\'s password differs from the current secret'];
  return { exists: true, upToDate: diff.length === 0, diff, outputs: { host, port, database: name, username: name } };
}

// Idempotent: a create run again after a crash writes the same record.
async function apply(request) {
  const { host, port, name, file, inventory } = settings(request);
  const password = request.secrets.password;
  if (typeof password !== 'string' || password.length < 16) throw new Permanent('secrets.password is missing');
  await mkdir(inventory, { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify({ team: request.instance.team, database: name, username: name, password: sha256(password) })}\n`, { mode: 0o600 });
  await rename(temp, file);
  console.error(`document-db ${name} recorded in ${inventory}`);
  const connection = `mongodb://${name}:${encodeURIComponent(password)}@${host}:${port}/${name}?authSource=${name}`;
  return { outputs: { host, port, database: name, username: name, password, connection } };
}

async function remove(request) {
  await rm(settings(request).file, { force: true });
  return {};
}

const verbs = { observe, create: apply, update: apply, delete: remove };

try {
  const verb = process.argv[2];
  const run = verbs[verb];
  if (!run) throw new Permanent(`unknown verb ${JSON.stringify(verb)} (expected ${Object.keys(verbs).join('|')})`);
  process.stdout.write(`${JSON.stringify(await run(await readStdin()))}\n`);
} catch (error) {
  console.error(`document-db: ${error.message}`);
  process.exit(error instanceof Permanent ? 2 : 1);
}
