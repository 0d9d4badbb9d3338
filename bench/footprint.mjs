// Footprint: how long the CLI takes to start beside `node -e 0` (hyperfine, Debian's package:
// apt-get install hyperfine), and how much memory an idle `paved up` holds with N instances.
//
//   npm run build && node bench/footprint.mjs [--instances 10000] [--runs 30] [--idle-seconds 60] [--baseline-cli other/packages/cli/dist/main.js]
//
// `paved get` asks a running `paved up` (SQLite) for one `secret` instance. Instances beyond the
// first are written straight through the store into that server's database before it starts
// again (the API would take minutes; what is measured is what the idle server holds). Prints
// one JSON line on stdout and a summary on stderr.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@paved/client';
import { createStore } from '@paved/store';
import { CLI, arg, round, startPaved } from './lib.mjs';

const instances = Number(arg('instances', '10000'));
const runs = Number(arg('runs', '30'));
const baselineCli = arg('baseline-cli');

/** hyperfine's medians in ms, by command name. */
function hyperfine(commands, env) {
  const out = join(process.env.TMPDIR ?? '/tmp', `paved-hyperfine-${process.pid}.json`);
  const args = ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', out];
  for (const [name, command] of Object.entries(commands)) args.push('-n', name, command);
  execFileSync('hyperfine', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  const { results } = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  return Object.fromEntries(results.map((r) => [r.command, round(r.median * 1000, 1)]));
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024, 1);
}

// Idle long enough for V8's memory reducer to shrink the heap grown while provisioning (it
// acts after some quiet seconds; 5 s measured the burst's heap, not an idle server's).
const idleSeconds = Number(arg('idle-seconds', '60'));
const settle = () => new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));

// Start-up, against a running server for `paved get`.
let paved = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off' });
const client = createClient({ url: paved.url, token: paved.token });
await client.createTeam({ name: 'bench' });
await client.createInstance('bench', { name: 'key-0', product: 'secret' });
const clis = { paved: CLI, ...(baselineCli ? { baseline: baselineCli } : {}) };
const commands = { 'node -e 0': `${process.execPath} -e 0` };
for (const [build, cli] of Object.entries(clis)) {
  commands[`${build} --help`] = `${process.execPath} ${cli} --help`;
  commands[`${build} get`] = `${process.execPath} ${cli} get key-0 --team bench`;
}
const startup = hyperfine(commands, { PAVED_URL: paved.url, PAVED_TOKEN: paved.token, NO_COLOR: '1' });
const node = startup['node -e 0'];

// Memory: idle, empty; then holding `instances` instances (written through the store while stopped).
await settle();
const emptyMiB = rssMiB(paved.pid);
await paved.stop();
const store = await createStore({ url: join(paved.dir, 'data', 'paved.db') });
const team = await store.getTeam({ name: 'bench' });
const batch = 500;
for (let i = 1; i < instances; i += batch) {
  await Promise.all(Array.from({ length: Math.min(batch, instances - i) }, (_, j) => store.createInstance({
    teamId: team.id, name: `key-${i + j}`, product: 'secret', productVersion: '1.0.0', plan: 'default', inputs: {},
    externalName: `bench-key-${i + j}`, target: 'local', createdBy: 'admin',
  })));
}
await store.close();
paved = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off' }, { dir: paved.dir });
// The engine provisions them all (the `secret` driver), then the server idles.
const reader = createClient({ url: paved.url, token: paved.token });
const deadline = Date.now() + 600_000;
while ((await reader.getInstance('bench', `key-${instances - 1}`)).status.phase !== 'Ready' && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
await settle();
const fullMiB = rssMiB(paved.pid);
await paved.stop();

const result = {
  benchmark: 'footprint', runs, startupMs: startup,
  ratios: Object.fromEntries(Object.entries(startup).filter(([k]) => k !== 'node -e 0').map(([k, ms]) => [k, round(ms / node, 2)])),
  idleRssMiB: { empty: emptyMiB, [`with ${instances} instances`]: fullMiB },
};
console.log(JSON.stringify(result));
for (const [k, ratio] of Object.entries(result.ratios)) {
  console.error(`footprint: ${k} ${startup[k]} ms median, ${ratio}× node -e 0 (${node} ms); target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'not met'}`);
}
console.error(`footprint: idle paved up ${emptyMiB} MiB empty, ${fullMiB} MiB with ${instances} instances; target ≤ 100 MiB: ${fullMiB <= 100 ? 'met' : 'not met'}`);
