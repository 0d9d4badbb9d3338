// Runs every benchmark in turn (each prints one JSON line on stdout and a summary on stderr).
//   npm run bench            # full size
//   npm run bench -- --quick # fewer runs, for a smoke check
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('npm run bench [-- --quick]: every benchmark in turn (bench/README.md lists them); `node bench/NAME.mjs --help` tells one\'s flags\n');
  process.exit(0);
}
const quick = process.argv.includes('--quick');
const benches = [
  // Time to credentials on the SQLite default, then on the PostgreSQL store.
  ...['postgres', 'mysql', 'redis', 'amqp'].map((p) => ['time-to-ready.mjs', ['--product', p, '--runs', '30', '--store', 'both']]),
  // The PostgreSQL store's round trips a request (load-independent, §1).
  ['pg-round-trips.mjs', ['--requests', quick ? '5' : '20']],
  ['api-reads.mjs', quick ? ['--seconds', '2', '--rounds', '1'] : ['--seconds', '5', '--rounds', '5']],
  ['footprint.mjs', [...(quick ? ['--instances', '1000', '--runs', '10'] : ['--instances', '10000', '--runs', '30']), '--store', 'both']],
  // The engine beside its ceiling (the row work a pass must do, in plain SQL) in the same runs.
  ['engine-throughput.mjs', [...(quick ? ['--instances', '2000'] : ['--instances', '100000']), '--ceiling']],
  // The PostgreSQL store: the engine at 100,000 (one worker and two, beside the ceiling), inserting 100,000, then one worker process against two at 5,000.
  ['engine-throughput.mjs', ['--store', 'postgres', '--instances', quick ? '2000' : '100000', '--runs', '1', '--workers', '1,2', '--ceiling']],
  ['engine-throughput.mjs', ['--store', 'postgres', '--insert-only', '--instances', quick ? '5000' : '100000', '--runs', '1']],
  ['engine-throughput.mjs', ['--store', 'postgres', '--instances', quick ? '1000' : '5000', '--workers', '1,2', '--runs', quick ? '1' : '3']],
  ...['sqlite', 'postgres'].map((store) => ['dora-query.mjs', ['--store', store, ...(quick ? ['--deployments', '20000', '--runs', '5'] : [])]]),
  ['webhook-ingestion.mjs', quick ? ['--deliveries', '2000', '--rounds', '1'] : []],
  ['policy-eval.mjs', quick ? ['--evaluations', '20000', '--rounds', '3'] : []],
  ['backstage-import.mjs', quick ? ['--runs', '1', '--scale', '0.2'] : ['--runs', '5']],
  ['portal-budget.mjs', quick ? ['--products', '200', '--instances', '2000', '--runs', '5'] : []],
];
let failed = 0;
for (const [file, args] of benches) {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url)), ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
