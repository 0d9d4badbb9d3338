// The DORA report of one team over a year, with 1,000,000 deployments and 5,000,000 changes in
// the store, beside a plain SQL aggregate over the same rows, in the same run.
//
//   node bench/dora-query.mjs --store sqlite|postgres [--deployments 1000000] [--runs 15]
//
// A `paved up` (its store SQLite in the data folder, or a fresh PostgreSQL database) gets 10
// teams of 5 services; the delivery tables are then filled by SQL as ingestion leaves them
// (deployments linked to 5 changes each, an incident after 1 deployment in 101), spread evenly over
// 2024–2025 and the 50 repositories. Measured, interleaved: GET /api/v1/metrics/dora for team
// t0 (5 services, a tenth of the rows) over 2025, through HTTP with its token; and, over a
// direct connection, a plain aggregate over the same rows: the window's deployments joined to
// their changes (the baseline), and the same changes alone through their index.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { arg, freshDatabase, measureInterleaved, median, reportComparison, round, startPaved } from './lib.mjs';

const storeKind = arg('store', 'sqlite');
const deployments = Number(arg('deployments', '1000000'));
const changesPer = 5;
const runs = Number(arg('runs', '15'));
const TEAMS = 10;
const SERVICES = 5;
const REPOS = TEAMS * SERVICES;
const START = Date.parse('2024-01-01T00:00:00Z');
const SPAN = Date.parse('2026-01-01T00:00:00Z') - START;
const FROM = Date.parse('2025-01-01T00:00:00Z');
const TO = Date.parse('2026-01-01T00:00:00Z');

const database = storeKind === 'postgres' ? await freshDatabase('dora') : undefined;
const databaseUrl = database?.url;

const paved = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off', ...(databaseUrl ? { PAVED_DATABASE_URL: databaseUrl } : {}) });
// Whatever happens, the server stops and a PostgreSQL database made for the run goes.
let close;
try {
  const api = async (method, path, body, retried = false) => {
    let res;
    try {
      res = await fetch(`${paved.url}${path}`, {
        method, headers: { authorization: `Bearer ${paved.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      // A kept-alive connection the server closed while the seed ran: once more on a new one.
      if (retried || error?.cause?.code !== 'UND_ERR_SOCKET') throw error;
      return api(method, path, body, true);
    }
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  for (let t = 0; t < TEAMS; t++) {
    await api('POST', '/api/v1/teams', { name: `t${t}` });
    for (let s = 0; s < SERVICES; s++) await api('POST', `/api/v1/teams/t${t}/services`, { name: `s${s}`, repositoryUrl: `https://github.com/bench/r${t * SERVICES + s + 1}` });
  }

  // Repository r{k} has id k; deployment n belongs to repository (n % 50) + 1, so team t0 owns ids 1–5.
  const step = Math.floor(SPAN / deployments);
  const seed = {
    repositories: (values) => `insert into delivery_repositories (host, path, name, default_branch, created_at) values ${values}`,
    environment: `insert into delivery_environments (name, production) values ('production', 1)`,
    deployments: (series) => `insert into delivery_deployments
        (repo_id, source, external_id, environment_id, sha, ref, started_ms, status, status_ms, status_seq, success_ms, result, finished_ms, shipped_ms, changes, gap_sha)
      select (n % ${REPOS}) + 1, 'github', cast(n as text), 1, null, 'main', t - 300000, 'success', t, 0, t, 'success', t, t, ${changesPer}, null
      from (select n, ${START} + n * ${step} + (n * 7919) % 3600000 as t from ${series(deployments - 1)}) x`,
    // Change m of deployment (m / 5) + 1: first commit 1–17 h, opened 30–60 min, merged 10–40 min before it
    // shipped; with the deployment's finish and the lead time the linker keeps on each change.
    changes: (series) => `insert into delivery_changes
        (repo_id, source, external_id, title, head_ref, merge_sha, state, opened_ms, merged_ms, first_commit_ms, first_commit_given, updated_ms, deployment_id, deployment_ref, shipped_ms, lead_minutes)
      select repo_id, 'github', cast(m as text), null, null, null, 'merged', o, mg, f, 0, t, id, null, t,
        (o - f + 59999) / 60000 + (mg - o + 59999) / 60000 + (t - mg + 59999) / 60000
      from (select d.repo_id, d.id, x.m, d.shipped_ms as t,
              d.shipped_ms - 5400000 - (x.m % 31) * 60000 as o, d.shipped_ms - 600000 - (x.m % 31) * 60000 as mg, d.shipped_ms - 3600000 * (1 + x.m % 17) as f
            from (select m from ${series(deployments * changesPer - 1, 'm')}) x join delivery_deployments d on d.id = x.m / ${changesPer} + 1) y`,
    incidents: (series) => `insert into delivery_issues (repo_id, source, external_id, title, labels, incident, state, created_ms, resolved_ms, updated_ms)
      select d.repo_id, 'github', cast(d.id as text), null, '["incident"]', 1, 'closed', d.shipped_ms + 1800000, d.shipped_ms + 7200000, d.shipped_ms + 7200000
      from delivery_deployments d where d.id % 101 = 0`,
  };
  const repositories = Array.from({ length: REPOS }, (_, i) => `('github.com', 'bench/r${i + 1}', 'bench/r${i + 1}', 'main', '2024-01-01T00:00:00.000Z')`).join(', ');
  const teamRepos = [1, 2, 3, 4, 5].join(', ');
  // Two plain aggregates over the rows the report reads: the window's deployments joined to their
  // changes, and the same changes through the index the report's lead-time query uses.
  const baselineSql = `select count(*) as n, sum(c.merged_ms - c.first_commit_ms) as s
    from delivery_deployments d join delivery_changes c on c.deployment_id = d.id
    where d.repo_id in (${teamRepos}) and d.shipped_ms >= ${FROM} and d.shipped_ms < ${TO}`;
  const changesSql = `select count(*) as n, sum(c.lead_minutes) as s from delivery_changes c
    where c.repo_id in (${teamRepos}) and c.shipped_ms >= ${FROM} and c.shipped_ms < ${TO}`;

  let baseline;
  let changesOnly;
  const seedStarted = Date.now();
  if (storeKind === 'postgres') {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const series = (last, name = 'n') => `generate_series(cast(0 as bigint), ${last}) ${name}`;
    await client.query(seed.repositories(repositories));
    await client.query(seed.environment);
    await client.query(seed.deployments(series));
    await client.query(seed.changes(series));
    await client.query(seed.incidents(series));
    await client.query('vacuum analyze');
    baseline = async () => (await client.query(baselineSql)).rows[0];
    changesOnly = async () => (await client.query(changesSql)).rows[0];
    close = () => client.end();
  } else {
    const db = new Database(join(paved.dir, 'data', 'paved.db'), { timeout: 60_000 });
    const series = (last, name = 'n') => `(with recursive s(${name}) as (select 0 union all select ${name} + 1 from s where ${name} < ${last}) select ${name} from s)`;
    db.exec('begin immediate');
    db.exec(seed.repositories(repositories));
    db.exec(seed.environment);
    db.exec(seed.deployments(series));
    db.exec(seed.changes(series));
    db.exec(seed.incidents(series));
    db.exec('commit');
    db.exec('analyze');
    const statement = db.prepare(baselineSql);
    const changesStatement = db.prepare(changesSql);
    baseline = async () => statement.get();
    changesOnly = async () => changesStatement.get();
    close = async () => db.close();
  }
  console.error(`seeded ${deployments} deployments, ${deployments * changesPer} changes and about ${Math.round(deployments / 101)} incidents in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);

  const report = `/api/v1/metrics/dora?team=t0&from=2025-01-01&to=2025-12-31`;
  const check = await api('GET', report);
  const expected = await baseline();
  if (check.leadTime.changes !== Number(expected.n)) throw new Error(`the report counts ${check.leadTime.changes} changes, the aggregate ${expected.n}`);
  console.error(`team t0, 2025: ${check.deployments} deployments, ${check.leadTime.changes} changes, lead time ${check.leadTime.medianMinutes} min, CFR ${check.changeFailureRate.failed}/${check.changeFailureRate.deployments}`);

  const timed = (fn) => async () => {
    const started = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const times = await measureInterleaved(runs, { direct: timed(baseline), dora: timed(() => api('GET', report)), changes: timed(changesOnly) }, { warmup: 2 });
  reportComparison(
    { benchmark: 'dora-query', store: storeKind, deployments, changes: deployments * changesPer, teamDeployments: check.deployments, teamChanges: check.leadTime.changes },
    times.direct, times.dora, 'dora', {
      title: `DORA report (${storeKind})`, directName: 'plain aggregate (deployments joined to changes)',
      trailing: { changesAggregate: { medianMs: round(median(times.changes), 2), ratio: round(median(times.dora) / median(times.changes), 2) } },
    },
  );

} finally {
  await close?.();
  await paved.stop();
  await database?.drop();
}
