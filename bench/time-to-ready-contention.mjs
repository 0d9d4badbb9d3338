// Diagnostic beside time-to-ready.mjs: how much of the engine's pass is the API's work for the
// same request competing for the event loop. Interleaved, per round: the usual flow (create, then
// waitForCredentials at once, so the watch request and its pushes run during the pass) and a
// quiet one (create, wait until the pass is surely over, then waitForCredentials); medians of
// the pass (claim → Ready) and of queued, from the instance.ready events.
//   npm run build && node bench/time-to-ready-contention.mjs [redis|mysql|postgres|amqp] [runs, default 30]
import { randomBytes } from 'node:crypto';
import { createClient } from '@paved/client';
import { startPaved, median } from './lib.mjs';
import { benchTargetsFile, requestFor } from './direct-ops.mjs';
const product = process.argv[2] ?? 'redis';
const runs = Number(process.argv[3] ?? 30);
const paved = await startPaved({ PAVED_TARGETS_FILE: benchTargetsFile(), PAVED_EMBEDDED_POSTGRES: 'off' });
const client = createClient({ url: paved.url, token: paved.token });
const team = `c-${randomBytes(3).toString('hex')}`;
await client.createTeam({ name: team });
const ids = { quiet: new Set(), usual: new Set() };
for (let i = -2; i < runs; i++) {
  for (const mode of i % 2 ? ['quiet', 'usual'] : ['usual', 'quiet']) {
    const name = `${mode}-${i + 2}`;
    const created = await client.createInstance(team, requestFor(product, name));
    // Longer than the pass takes at load 10 (bench/README.md §1), so the watch starts after Ready.
    if (mode === 'quiet') await new Promise((r) => setTimeout(r, product === 'postgres' ? 1500 : 300));
    await client.waitForCredentials(team, name);
    if (i >= 0) ids[mode].add(created.id);
    await client.deleteInstance(team, name);
    await client.watchInstance(team, name, { onStatus() {} }).catch(() => {});
  }
}
const ready = [];
for (let cursor; ;) {
  const page = await client.listEvents(team, { limit: 100, cursor });
  for (const e of page.items) if (e.kind === 'instance.ready') ready.push(e);
  if (!page.nextCursor) break;
  cursor = page.nextCursor;
}
for (const mode of ['quiet', 'usual']) {
  const mine = ready.filter((e) => ids[mode].has(e.instanceId));
  console.log(mode, 'n', mine.length, 'queued', median(mine.map((e) => e.data.queuedMs)), 'pass', median(mine.map((e) => e.data.timeToReadyMs - e.data.queuedMs)), 'checks', median(mine.map((e) => e.data.checksMs)));
}
await paved.stop();
