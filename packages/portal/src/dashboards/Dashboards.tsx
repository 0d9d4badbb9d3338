import { useId, useMemo, useState } from 'react';
import type { DoraLevel, DoraMetrics } from '@paved/model';
import { useApi } from '../app/api.js';
import { Loaded } from '../app/errors.js';
import { duration, percent } from '../ui/badges.js';
import { useVisibleTeams } from '../team/teams.js';
import { Chart } from './Chart.js';

const SECTIONS = [
  { id: 'dora', label: 'DORA' },
  { id: 'products', label: 'Product analytics' },
  { id: 'adoption', label: 'Adoption' },
  { id: 'interventions', label: 'Interventions' },
  { id: 'feedback', label: 'Feedback' },
];

/** The dashboards: charts of what `paved metrics` reports (docs/metrics/), each with its table. Loaded on its own. */
export default function Dashboards() {
  return (
    <>
      <h1>Dashboards</h1>
      <nav aria-label="Dashboards" className="subnav">
        <ul>{SECTIONS.map((s) => <li key={s.id}><a href={`#${s.id}`}>{s.label}</a></li>)}</ul>
      </nav>
      <Dora />
      <ProductAnalytics />
      <Adoption />
      <Interventions />
      <FeedbackScores />
    </>
  );
}

const hours = (minutes: number) => duration(minutes * 60_000);
const fixed1 = (v: number) => (Math.round(v * 10) / 10).toString();
const pct = (v: number) => `${Math.round(v)} %`;

/** The last `count` windows of `days` days, oldest first, ending today (UTC), as DORA queries take them. */
export function windows(count: number, days: number, today = new Date()): { from: string; to: string }[] {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const result: { from: string; to: string }[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const to = new Date(today.getTime() - i * days * 86_400_000);
    const from = new Date(to.getTime() - (days - 1) * 86_400_000);
    result.push({ from: day(from), to: day(to) });
  }
  return result;
}

function Level({ level }: { level: DoraLevel | null }) {
  return level ? <span className={`badge level-${level}`}>{level}</span> : <span className="muted">no level</span>;
}

function Dora() {
  const id = useId();
  const teams = useVisibleTeams();
  const services = useApi('services:all', (c) => c.listAllServices({ limit: 100 }));
  const [scope, setScope] = useState('');
  const periods = useMemo(() => windows(6, 28), []);
  const [kind, team, service] = scope.split(':') as [string, string?, string?];
  const query = kind === 'team' ? { team } : kind === 'service' ? { team, service } : {};
  const reports = useApi(`dora:${scope}`, (c) => Promise.all(periods.map((p) => c.doraMetrics({ ...p, ...query }))));
  return (
    <section aria-labelledby="dora" className="dash">
      <h2 id="dora">DORA</h2>
      <div className="field inline-field">
        <label htmlFor={`${id}-scope`}>Scope</label>
        <select id={`${id}-scope`} value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value="">Every service you can see</option>
          {(teams.data ?? []).map((t) => <option key={t} value={`team:${t}`}>Team {t}</option>)}
          {(services.data?.items ?? []).map((s) => <option key={s.id} value={`service:${s.teamName}:${s.name}`}>Service {s.teamName}/{s.name}</option>)}
        </select>
      </div>
      <Loaded data={reports.data} error={reports.error} what="the DORA metrics">
        {(list) => <DoraReport reports={list} />}
      </Loaded>
    </section>
  );
}

function DoraReport({ reports }: { reports: DoraMetrics[] }) {
  const current = reports[reports.length - 1]!;
  const labels = reports.map((r) => `${r.window.from} – ${r.window.to}`);
  const series = useMemo(() => ({
    frequency: [{ label: 'Deployment days per week (median)', values: reports.map((r) => r.deploymentFrequency.medianDeploymentDaysPerWeek) }],
    times: [
      { label: 'Lead time (median, h)', values: reports.map((r) => (r.leadTime.medianMinutes === null ? null : r.leadTime.medianMinutes / 60)) },
      { label: 'Recovery time (median, h)', values: reports.map((r) => (r.failedDeploymentRecoveryTime.medianMinutes === null ? null : r.failedDeploymentRecoveryTime.medianMinutes / 60)) },
    ],
    failure: [
      { label: 'Change failure rate (%)', values: reports.map((r) => (r.changeFailureRate.rate === null ? null : r.changeFailureRate.rate * 100)) },
      { label: 'Rework rate (%)', values: reports.map((r) => (r.reworkRate.rate === null ? null : r.reworkRate.rate * 100)) },
    ],
  }), [reports]);
  return (
    <>
      <p className="muted">Last 28 days ({current.window.from} – {current.window.to}), {current.scope.services.length} services, benchmark {current.benchmark}.</p>
      <div className="scroll">
        <table>
          <thead><tr><th scope="col">Metric</th><th scope="col">Last 28 days</th><th scope="col">Level</th></tr></thead>
          <tbody>
            <tr><th scope="row">Deployment frequency</th><td>{current.deployments} deployments on {current.deploymentFrequency.deploymentDays} days; median {current.deploymentFrequency.medianDeploymentDaysPerWeek} days a week</td><td><Level level={current.deploymentFrequency.level} /></td></tr>
            <tr><th scope="row">Lead time for changes</th><td>{current.leadTime.medianMinutes === null ? 'no changes' : `${hours(current.leadTime.medianMinutes)} median over ${current.leadTime.changes} changes`}</td><td><Level level={current.leadTime.level} /></td></tr>
            <tr><th scope="row">Change failure rate</th><td>{current.changeFailureRate.rate === null ? 'no deployments' : `${percent(current.changeFailureRate.rate)} (${current.changeFailureRate.failed} of ${current.changeFailureRate.deployments})`}</td><td><Level level={current.changeFailureRate.level} /></td></tr>
            <tr><th scope="row">Failed deployment recovery time</th><td>{current.failedDeploymentRecoveryTime.medianMinutes === null ? 'no incidents' : `${hours(current.failedDeploymentRecoveryTime.medianMinutes)} median over ${current.failedDeploymentRecoveryTime.incidents} incidents`}</td><td><Level level={current.failedDeploymentRecoveryTime.level} /></td></tr>
            <tr><th scope="row">Rework rate</th><td>{current.reworkRate.rate === null ? 'no deployments' : percent(current.reworkRate.rate)}</td><td><Level level={null} /></td></tr>
          </tbody>
        </table>
      </div>
      <div className="charts">
        <Chart title="Deployment frequency, per 28 days" labels={labels} series={series.frequency} format={fixed1} />
        <Chart title="Lead time and recovery time, per 28 days" labels={labels} series={series.times} format={fixed1} />
        <Chart title="Change failure and rework rate, per 28 days" labels={labels} series={series.failure} format={pct} />
      </div>
    </>
  );
}

function ProductAnalytics() {
  const measures = useApi('measures:all', (c) => c.listProductMeasures({ since: '30d' }));
  return (
    <section aria-labelledby="products" className="dash">
      <h2 id="products">Product analytics <span className="muted">(last 30 days)</span></h2>
      <Loaded data={measures.data?.items} error={measures.error} what="the product analytics">
        {(items) => items.length === 0 ? <p className="empty">None of your platform teams owns a product yet.</p> : (
          <div className="scroll">
            <table>
              <thead>
                <tr><th scope="col">Product</th><th scope="col">Live instances</th><th scope="col">Teams</th><th scope="col">Requests</th><th scope="col">Success</th><th scope="col">Time to ready p50 / p95</th><th scope="col">Objective</th></tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <tr key={m.product}>
                    <th scope="row">{m.product}</th>
                    <td>{m.liveInstances}</td>
                    <td>{m.adoptingTeams}</td>
                    <td>{m.requests.requested} ({m.requests.ready} ready, {m.requests.failed} failed)</td>
                    <td>{percent(m.requests.successRate)}</td>
                    <td>{duration(m.timeToReady.p50Ms)} / {duration(m.timeToReady.p95Ms)}</td>
                    <td>{m.timeToReady.slo ? `${duration(m.timeToReady.slo.p95Ms)}${m.timeToReady.slo.met === undefined ? '' : m.timeToReady.slo.met ? ', met' : ', missed'}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </section>
  );
}

function Adoption() {
  const adoption = useApi('adoption', (c) => c.getAdoption({ weeks: 26 }));
  const data = adoption.data;
  const labels = useMemo(() => data?.weeks.map((w) => w.week) ?? [], [data]);
  const series = useMemo(() => (data ? [
    { label: 'Services', values: data.weeks.map((w) => w.services) },
    { label: 'Using Paved', values: data.weeks.map((w) => w.adopted) },
  ] : []), [data]);
  return (
    <section aria-labelledby="adoption" className="dash">
      <h2 id="adoption">Adoption over time</h2>
      <Loaded data={data} error={adoption.error} what="adoption">
        {(a) => (
          <>
            <p className="muted">Now: {percent(a.weeks[a.weeks.length - 1]?.share)} of services use Paved. A new team's first Ready instance takes {duration(a.teamOnboarding.p50Ms)} (median over {a.teamOnboarding.teams} teams).</p>
            <Chart title="Services and services using Paved, per week" labels={labels} series={series} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function Interventions() {
  const interventions = useApi('interventions', (c) => c.getInterventions({ weeks: 12 }));
  const data = interventions.data;
  const chart = useMemo(() => {
    if (!data) return { labels: [], series: [] };
    const labels = data.weeks.map((w) => w.week);
    const teams = [...new Set(data.perTeam.map((p) => p.team))].sort();
    const series = [
      { label: 'All teams', values: data.weeks.map((w) => w.interventions) },
      ...teams.map((team) => ({
        label: team,
        values: labels.map((week) => data.perTeam.find((p) => p.team === team && p.week === week)?.interventions ?? 0),
      })),
    ];
    return { labels, series };
  }, [data]);
  return (
    <section aria-labelledby="interventions" className="dash">
      <h2 id="interventions">Interventions per team per week</h2>
      <p className="muted">Times a person outside a team had to act for one of its requests. This curve should fall to zero.</p>
      <Loaded data={data} error={interventions.error} what="the interventions">
        {() => <Chart title="Interventions per week" labels={chart.labels} series={chart.series} />}
      </Loaded>
    </section>
  );
}

function FeedbackScores() {
  const id = useId();
  const products = useApi('products', (c) => c.listProducts());
  const [chosen, setChosen] = useState('');
  const product = chosen || products.data?.items[0]?.name || '';
  const feedback = useApi(product ? `feedback:${product}` : null, (c) => c.getProductFeedback(product, { weeks: 12 }));
  const data = feedback.data;
  const labels = useMemo(() => data?.weeks.map((w) => w.week) ?? [], [data]);
  const series = useMemo(() => (data ? [
    { label: 'Average score', values: data.weeks.map((w) => w.averageScore ?? null) },
    { label: 'Responses', values: data.weeks.map((w) => w.responses) },
  ] : []), [data]);
  return (
    <section aria-labelledby="feedback" className="dash">
      <h2 id="feedback">Feedback scores</h2>
      <div className="field inline-field">
        <label htmlFor={`${id}-p`}>Product</label>
        <select id={`${id}-p`} value={product} onChange={(e) => setChosen(e.target.value)}>
          {(products.data?.items ?? []).map((p) => <option key={p.name} value={p.name}>{p.title}</option>)}
        </select>
      </div>
      {product ? (
        <Loaded data={data} error={feedback.error} what="the feedback">
          {(f) => (
            <>
              <Chart title={`Feedback on ${product}, per week (scores 1–5)`} labels={labels} series={series} format={fixed1} />
              {f.comments.length ? (
                <ul className="comments">{f.comments.slice(0, 10).map((c) => <li key={c.id}><strong>{c.score}/5</strong> {c.comment} <span className="muted">{c.team ? `— ${c.team}, ` : '— '}{c.at.slice(0, 10)}</span></li>)}</ul>
              ) : <p className="muted">No comments yet.</p>}
            </>
          )}
        </Loaded>
      ) : null}
    </section>
  );
}
