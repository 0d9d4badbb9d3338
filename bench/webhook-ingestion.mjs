// Webhook ingestion throughput: signed GitHub deliveries per second into `paved up` on SQLite.
//
//   node bench/webhook-ingestion.mjs [--deliveries 20000] [--connections 16] [--rounds 3] [--compare other/packages/cli/dist/main.js] [--profile DIR]
//
// Two figures per round: accepted/s (deliveries answered 202 ÷ the time to send them) and
// applied/s (the same deliveries ÷ the time from the first sent until the inbox of deliveries
// accepted and not yet applied is empty, read from the server's Prometheus gauge
// paved_webhook_inbox_waiting_deliveries; a build without the inbox applies before answering,
// so there both are the same). `--compare` starts another build beside this one (e.g. the one
// before a change) and interleaves its rounds with this one's, so both meet the same load.
// `--profile DIR` writes a CPU profile of this build's server there (node --cpu-prof).
//
// The deliveries are the octokit payload examples (fixtures/webhooks/github/) shaped as a
// stream of work on 20 repositories: per change a push to a branch, the pull request merged,
// the push to main, and the production deployment's in_progress and success statuses (which
// link the change); an incident issue every tenth change. Every delivery has its own id and a
// valid X-Hub-Signature-256. Baseline, in the same run against the same server: the same
// deliveries signed with a wrong secret, refused with 401 after the HMAC check (the request
// path without the delivery's facts; its audit record is written). Rounds alternate which goes first; each round sends new deliveries.
import autocannon from 'autocannon';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { arg, cpuTicks, freePort, median, round, startPaved } from './lib.mjs';

const total = Number(arg('deliveries', '20000'));
const connections = Number(arg('connections', '16'));
const rounds = Number(arg('rounds', '3'));
const SECRET = 'bench-webhook-secret-0123456789';
const REPOS = 20;

const fixture = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/webhooks/github/${name}.json`, import.meta.url)), 'utf8'));
const templates = { push: fixture('push'), pr: fixture('pull_request-closed'), status: fixture('deployment_status'), issue: fixture('issues-opened') };
const sha = (text) => createHmac('sha1', 'sha').update(text).digest('hex');
const at = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

function withRepo(body, repo) {
  body.repository.full_name = `bench/r${repo}`;
  body.repository.name = `r${repo}`;
  body.repository.html_url = `https://github.com/bench/r${repo}`;
  body.repository.default_branch = 'main';
  return body;
}

/** `count` deliveries of round `r`, oldest first, each serialised and signed once. */
function deliveries(r, count, secret) {
  const out = [];
  const head = new Map();
  let statusId = r * 10_000_000;
  for (let k = 0; out.length < count; k++) {
    const repo = k % REPOS;
    // Rounds follow each other in March, a minute a change.
    const t = Date.parse('2025-03-03T08:00:00Z') + ((r % 100) * 10_000 + k) * 60_000;
    const id = `${r}-${k}`;
    const before = head.get(repo) ?? '0'.repeat(40);
    const commit = sha(`c${id}`);
    const merge = sha(`m${id}`);
    const push = (branch, from, to, commits) => {
      const body = withRepo(structuredClone(templates.push), repo);
      const c0 = body.commits[0];
      Object.assign(body, { ref: `refs/heads/${branch}`, before: from, after: to, created: /^0+$/.test(from) });
      body.commits = commits.map(([s, when, distinct]) => ({ ...c0, id: s, tree_id: s, timestamp: at(when), distinct }));
      body.head_commit = body.commits.at(-1);
      return ['push', body];
    };
    const pr = withRepo(structuredClone(templates.pr), repo);
    const number = r * 1_000_000 + k + 1;
    Object.assign(pr, { number, action: 'closed' });
    Object.assign(pr.pull_request, { number, merged: true, state: 'closed', created_at: at(t + 10_000), updated_at: at(t + 20_000), merged_at: at(t + 20_000), closed_at: at(t + 20_000), merge_commit_sha: merge });
    pr.pull_request.head.ref = `b${id}`;
    const status = (state, when) => {
      const body = withRepo(structuredClone(templates.status), repo);
      Object.assign(body.deployment, { id: r * 10_000_000 + k, sha: merge, environment: 'production', created_at: at(t + 30_000) });
      Object.assign(body.deployment_status, { id: ++statusId, state, environment: 'production', created_at: at(when), updated_at: at(when) });
      return ['deployment_status', body];
    };
    const events = [
      push(`b${id}`, '0'.repeat(40), commit, [[commit, t, true]]),
      ['pull_request', pr],
      push('main', before, merge, [[commit, t, false], [merge, t + 20_000, true]]),
      status('in_progress', t + 35_000),
      status('success', t + 50_000),
    ];
    if (k % 10 === 9) {
      const issue = withRepo(structuredClone(templates.issue), repo);
      Object.assign(issue.issue, { number: r * 1_000_000 + 500_000 + k, labels: [{ ...issue.issue.labels?.[0], name: 'incident' }], created_at: at(t + 55_000), updated_at: at(t + 55_000), closed_at: null, state: 'open' });
      events.push(['issues', issue]);
    }
    head.set(repo, merge);
    for (const [event, body] of events) {
      const bytes = Buffer.from(JSON.stringify(body));
      out.push({ body: bytes, headers: {
        'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': `bench-${id}-${out.length}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`,
      } });
    }
  }
  return out.slice(0, count);
}

/**
 * The server's CPU time so far (user + system, ms), from /proc: on a machine shared with other
 * work the rates above swing with the neighbours' load, while the server's CPU time per
 * delivery does not, so it is reported too.
 */
function cpuMs(pid) {
  try {
    const { user, system } = cpuTicks(pid);
    return (user + system) * 10; // ticks of 10 ms (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

/** Deliveries accepted and not yet applied, from the server's /metrics; 0 for a build that has no inbox. */
async function waiting(metricsUrl) {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('paved_webhook_inbox_waiting_deliveries'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function blast(url, list, progress = { answered: 0 }) {
  let next = 0;
  let last = 0;
  const started = performance.now();
  const result = await autocannon({
    url, connections, amount: list.length,
    requests: [{
      method: 'POST', path: '/api/v1/webhooks/github',
      setupRequest: (req) => {
        const d = list[next++ % list.length];
        return { ...req, headers: d.headers, body: d.body };
      },
      onResponse: () => {
        last = performance.now();
        if (++progress.answered === list.length) progress.onLast?.();
      },
    }],
  });
  // autocannon notices the end on its next one-second tick: its duration (and the time until it
  // returns) is rounded up to whole seconds, so the time is taken to the last answer instead.
  const seconds = (last - started) / 1000;
  return { last, perSecond: list.length / seconds, non2xx: result.non2xx, errors: result.errors, statuses: result.statusCodeStats };
}

/** A server of one build, with its figures. */
async function server(name, cli) {
  const metricsPort = await freePort();
  const profile = cli === undefined ? arg('profile', undefined) : undefined;
  const paved = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off', PAVED_GITHUB_WEBHOOK_SECRET: SECRET, PAVED_METRICS_PORT: String(metricsPort) }, {
    ...(cli ? { cli } : {}), ...(profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profile] } : {}),
  });
  const api = (method, path, body) => fetch(`${paved.url}${path}`, { method, headers: { authorization: `Bearer ${paved.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await api('POST', '/api/v1/teams', { name: 'bench' });
  for (let repo = 0; repo < REPOS; repo++) await api('POST', '/api/v1/teams/bench/services', { name: `r${repo}`, repositoryUrl: `https://github.com/bench/r${repo}` });
  /** Server CPU ms per delivery: to answer an ingested one, to answer and apply it, to refuse one. */
  return { name, paved, metricsUrl: `http://127.0.0.1:${metricsPort}`, accepted: [], applied: [], refused: [], cpu: { accept: [], apply: [], refuse: [] } };
}

async function side(s, label, list, r) {
  const { paved } = s;
  const started = performance.now();
  const cpuStart = cpuMs(paved.pid);
  const progress = { answered: 0, cpuAtLast: Number.NaN, onLast: () => { progress.cpuAtLast = cpuMs(paved.pid); } };
  // Watches, from the last answer on, for the inbox to be empty (autocannon returns up to a second later).
  const applied = label !== 'ingest' ? undefined : (async () => {
    for (;;) {
      if (progress.answered >= list.length && await waiting(s.metricsUrl) === 0) return { at: performance.now(), cpu: cpuMs(paved.pid) };
      await new Promise((resolve) => setTimeout(resolve, progress.answered >= list.length ? 50 : 10));
    }
  })();
  const outcome = await blast(paved.url, list, progress);
  const cpuSent = progress.cpuAtLast;
  const expectedStatus = label === 'ingest' ? 202 : 401;
  if (outcome.errors > 0 || (outcome.statuses[expectedStatus]?.count ?? 0) !== list.length) {
    throw new Error(`${s.name} ${label}: expected ${list.length} × ${expectedStatus}, got ${JSON.stringify(outcome.statuses)} and ${outcome.errors} errors`);
  }
  let tail;
  if (label === 'ingest') {
    s.accepted.push(outcome.perSecond);
    s.cpu.accept.push((cpuSent - cpuStart) / list.length);
    const done = await applied;
    s.cpu.apply.push((Math.max(done.cpu, cpuSent) - cpuStart) / list.length);
    s.applied.push(list.length / ((Math.max(done.at, outcome.last) - started) / 1000));
    tail = `, all applied ${round(Math.max(0, done.at - outcome.last) / 1000, 1)} s after the last was answered: ${round(s.applied.at(-1), 0)} applied/s; server CPU ${round(s.cpu.accept.at(-1), 3)} ms to accept, ${round(s.cpu.apply.at(-1), 3)} ms to accept and apply`;
  } else {
    s.refused.push(outcome.perSecond);
    s.cpu.refuse.push((cpuSent - cpuStart) / list.length);
    tail = `; server CPU ${round(s.cpu.refuse.at(-1), 3)} ms each`;
  }
  console.error(`round ${r + 1} ${s.name} ${label}: ${round(outcome.perSecond, 0)} deliveries/s${tail}`);
}

const compare = arg('compare', undefined);
const servers = [await server('this', undefined), ...(compare ? [await server(compare, compare)] : [])];
for (let r = 0; r < rounds; r++) {
  const good = deliveries(r + 1, total, SECRET);
  const bad = deliveries(r + 101, total, 'not-the-secret');
  // Each build ingests the same deliveries (each into its own store) and refuses the same forgeries; the order turns each round.
  const sides = servers.flatMap((s) => [[s, 'ingest', good], [s, 'refused', bad]]);
  const turn = r % sides.length;
  for (const [s, label, list] of [...sides.slice(turn), ...sides.slice(0, turn)]) await side(s, label, list, r);
}

for (const s of servers) {
  // The store got everything: the last round's deployments are all linked to their change.
  const report = await (await fetch(`${s.paved.url}/api/v1/metrics/dora?team=bench&from=2025-03-03&to=2025-03-31`, { headers: { authorization: `Bearer ${s.paved.token}` } })).json();
  const { cpu } = s;
  const result = {
    benchmark: 'webhook-ingestion', store: 'sqlite', deliveries: total, connections, rounds, build: s.name,
    acceptedPerSecond: round(median(s.accepted), 0), appliedPerSecond: round(median(s.applied), 0), refusedPerSecond: round(median(s.refused), 0),
    acceptedRatio: round(median(s.accepted) / median(s.refused), 2), appliedRatio: round(median(s.applied) / median(s.refused), 2),
    cpuMsPerDelivery: { accept: round(median(cpu.accept), 3), acceptAndApply: round(median(cpu.apply), 3), refuse: round(median(cpu.refuse), 3) },
    // What one core of the server could sustain, from its CPU time alone (the neighbours' load set aside).
    perCoreSecond: { accepted: round(1000 / median(cpu.accept), 0), applied: round(1000 / median(cpu.apply), 0), refused: round(1000 / median(cpu.refuse), 0) },
    deployments: report.deployments, changes: report.leadTime.changes, deploymentsWithoutChanges: report.dataQuality.deploymentsWithoutChanges.count,
  };
  console.log(JSON.stringify(result));
  console.error(`webhook ingestion (${s.name}): ${result.acceptedPerSecond} accepted/s, ${result.appliedPerSecond} applied/s median (refused unsigned: ${result.refusedPerSecond}/s), x${result.acceptedRatio} / x${result.appliedRatio}`);
  await s.paved.stop();
}
