#!/usr/bin/env node
// An object-store "bucket" on the local disk, provisioned by Paved's script driver:
//   provision.mjs observe|create|update|delete|check   (request as JSON on stdin)
// A bucket is the directory <root>/<externalName> (mode 0700) holding the bucket's objects, an
// access-key file .paved-access-key (mode 0600) with the SHA-256 of the key (never the key
// itself), and .paved-bucket.json with its settings. `root` comes from the target's config.
//
// Protocol: one JSON result on stdout, logs on stderr; exit 0 = done, 2 = permanent failure
// (bad input: retrying cannot help), anything else = failure Paved retries.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

const KEY_FILE = '.paved-access-key';
const META_FILE = '.paved-bucket.json';
const NAME = /^[a-z0-9_]{1,63}$/;

class Permanent extends Error {}

const sha256 = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const readText = (file) => readFile(file, 'utf8').catch((error) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function rootOf(request) {
  const root = request.target?.config?.root;
  if (typeof root !== 'string' || !isAbsolute(root)) throw new Permanent(`target "${request.target?.name}" has no absolute config.root`);
  return root;
}

function bucketOf(request) {
  const name = request.instance?.externalName;
  if (typeof name !== 'string' || !NAME.test(name)) throw new Permanent('instance.externalName must match [a-z0-9_]{1,63}');
  return { name, dir: join(rootOf(request), name) };
}

/** The quota the requester asks for, refused when the plan allows less (the plan sets maxQuotaMb). */
function quotaOf(request) {
  const { quotaMb = 100, maxQuotaMb } = request.instance.values ?? {};
  if (!Number.isInteger(quotaMb) || quotaMb < 1) throw new Permanent(`quotaMb must be a positive integer, got ${JSON.stringify(quotaMb)}`);
  if (Number.isInteger(maxQuotaMb) && quotaMb > maxQuotaMb) throw new Permanent(`quota ${quotaMb} MB is more than plan "${request.instance.plan}" allows (maxQuotaMb ${maxQuotaMb})`);
  return quotaMb;
}

/** Writes a file whole or not at all (a crash mid-write leaves the old file or none). */
async function writeAtomically(file, text, mode) {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode });
  await chmod(temp, mode);
  await rename(temp, file);
}

async function observe(request) {
  const { name, dir } = bucketOf(request);
  const present = await stat(dir).then((s) => s.isDirectory(), (error) => (error.code === 'ENOENT' ? false : Promise.reject(error)));
  if (!present) return { exists: false, upToDate: false };
  const diff = [];
  const key = await readText(join(dir, KEY_FILE));
  if (key === undefined) diff.push('access key file is missing');
  else if (key.trim() !== sha256(request.secrets.password ?? '')) diff.push('access key differs from the current secret');
  const meta = JSON.parse((await readText(join(dir, META_FILE))) ?? '{}');
  const quotaMb = quotaOf(request);
  if (meta.quotaMb !== quotaMb) diff.push(`quota is ${meta.quotaMb ?? 'unset'} MB, wanted ${quotaMb} MB`);
  if (((await stat(dir)).mode & 0o077) !== 0) diff.push('bucket directory is open to other users');
  return { exists: true, upToDate: diff.length === 0, diff, outputs: { name, path: dir } };
}

// Each step is idempotent, so a create interrupted anywhere is finished by running it again.
async function apply(request) {
  const { name, dir } = bucketOf(request);
  const password = request.secrets.password;
  if (typeof password !== 'string' || password.length < 16) throw new Permanent('secrets.password is missing');
  const quotaMb = quotaOf(request);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await writeAtomically(join(dir, KEY_FILE), `${sha256(password)}\n`, 0o600);
  await writeAtomically(join(dir, META_FILE), `${JSON.stringify({ team: request.instance.team, quotaMb })}\n`, 0o600);
  console.error(`bucket ${name} ready at ${dir}`);
  return { outputs: { name, path: dir, username: name, password } };
}

async function remove(request) {
  const { dir } = bucketOf(request);
  await rm(dir, { recursive: true, force: true });
  return {};
}

/** Contract checks, run with the issued outputs (verb "check"). Exit 1 with a reason when one does not hold. */
async function check(request) {
  const { name, outputs } = request.check ?? {};
  const root = rootOf(request);
  const dir = outputs?.path;
  if (typeof dir !== 'string' || join(root, outputs.name ?? '') !== dir) throw new Error(`bucket path ${JSON.stringify(dir)} is not a bucket under ${root}`);
  const key = await readText(join(dir, KEY_FILE));
  if (key === undefined) throw new Error(`bucket ${outputs.name} does not exist`);
  if (key.trim() !== sha256(outputs.password ?? '')) throw new Error(`access key refused for bucket ${outputs.name}`);
  if (name === 'write-read') {
    const object = join(dir, `.paved-check-${randomBytes(6).toString('hex')}`);
    const body = randomBytes(16).toString('hex');
    try {
      await writeFile(object, body, { mode: 0o600 });
      if ((await readFile(object, 'utf8')) !== body) throw new Error(`object read back from bucket ${outputs.name} differs from what was written`);
    } finally {
      await rm(object, { force: true });
    }
  } else if (name === 'isolation') {
    if (((await stat(dir)).mode & 0o077) !== 0) throw new Error(`bucket ${outputs.name} is readable by other users of the machine`);
    if (((await stat(join(dir, KEY_FILE))).mode & 0o077) !== 0) throw new Error(`access key file of bucket ${outputs.name} is readable by other users`);
  } else if (name !== 'connect') {
    throw new Permanent(`unknown check ${JSON.stringify(name)}`);
  }
  return {};
}

const verbs = { observe, create: apply, update: apply, delete: remove, check };

try {
  const verb = process.argv[2];
  const run = verbs[verb];
  if (!run) throw new Permanent(`unknown verb ${JSON.stringify(verb)} (expected ${Object.keys(verbs).join('|')})`);
  const request = await readStdin();
  process.stdout.write(`${JSON.stringify(await run(request))}\n`);
} catch (error) {
  console.error(`object-store: ${error.message}`);
  process.exit(error instanceof Permanent ? 2 : 1);
}
