import type { AdoptionMeasures, InterventionMeasures, Onboarding, ProductFeedback, ProductMeasures, RequestOutcomes, TimeToReady } from '@paved/model';
import { InputError } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatElapsed } from '../duration.js';
import { formatFields, formatTable } from '../output.js';
import { allPages } from './teams.js';
import { registerDoraCommand } from './metrics-dora.js';

/**
 * `paved metrics …`: the platform's own measures (docs/metrics/README.md), as the API returns
 * them with -o json|yaml, as tables otherwise.
 */
export function registerMetricsCommands(program: Command, runner: Runner): void {
  const metrics = program
    .command('metrics')
    .description('the platform\'s own measures: DORA delivery metrics, product analytics, adoption, interventions, feedback')
    .addHelpText('after', '\nDefinitions: docs/metrics/README.md and docs/metrics/dora.md');

  registerDoraCommand(metrics, runner);

  metrics
    .command('products')
    .description('analytics of the products your platform teams own (all for platform admins), or of one product')
    .argument('[product]', 'one product: with its versions')
    .option('--since <when>', 'requests made since: a duration (7d, 12h) or an ISO time', '30d')
    .addHelpText('after', '\nExamples:\n  paved metrics products\n  paved metrics products postgres --since 7d -o json')
    .action(action(runner, products));

  metrics
    .command('adoption')
    .description('share of catalogued services with resources from Paved, week by week (a team\'s own with --team)')
    .option('--weeks <n>', 'how many weeks, the current one last', '12')
    .addHelpText('after', '\nExamples:\n  paved metrics adoption\n  paved metrics adoption --team payments --weeks 4')
    .action(action(runner, adoption));

  metrics
    .command('interventions')
    .description('how often a person outside a team had to act for its requests, per team and week (--team: your team; --product: a product you own)')
    .option('--product <product>', 'one product\'s requests')
    .option('--weeks <n>', 'how many weeks, the current one last', '12')
    .addHelpText('after', '\nExamples:\n  paved metrics interventions --team payments\n  paved metrics interventions --product postgres --weeks 26')
    .action(action(runner, interventions));

  metrics
    .command('feedback')
    .description('a product\'s satisfaction per week and its comments (its owner team, platform admins)')
    .argument('<product>', 'product name')
    .option('--weeks <n>', 'how many weeks, the current one last', '12')
    .addHelpText('after', '\nExample:\n  paved metrics feedback postgres --weeks 4')
    .action(action(runner, feedback));

  metrics
    .command('help-requests')
    .description('a product\'s help requests (paved help), newest first (its owner team, platform admins)')
    .argument('<product>', 'product name')
    .addHelpText('after', '\nExample:\n  paved metrics help-requests postgres')
    .action(action(runner, helpRequests));
}

function parseWeeks(text: string): number {
  const weeks = Number(text);
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 104) {
    throw new InputError(`--weeks must be a whole number from 1 to 104 (got "${text}")`, { code: 'flag_invalid', issues: [{ path: '--weeks', message: 'must be 1 to 104' }] });
  }
  return weeks;
}

/** 1234 → 1.2s, 75000 → 1m15s, 3 h → 3h00m, 2 days → 2d0h. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 3_600_000) return formatElapsed(ms);
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 48) return `${hours}h${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

const percent = (share: number | undefined) => (share === undefined ? '-' : `${Math.round(share * 100)}%`);

function slo(ttr: TimeToReady): string {
  if (ttr.slo === undefined) return '-';
  const target = `≤ ${formatDuration(ttr.slo.p95Ms)}`;
  return ttr.slo.met === undefined ? target : `${target} ${ttr.slo.met ? 'met' : 'missed'}`;
}

const outcomes = (r: RequestOutcomes) => `${r.requested} (${r.ready} ready, ${r.failed} failed, ${r.abandoned} abandoned, ${r.pending} pending)`;
const onboarding = (o: Onboarding) => (o.teams === 0 ? '-' : `p50 ${formatDuration(o.p50Ms)}, p95 ${formatDuration(o.p95Ms)} over ${o.teams} team(s)`);

async function products(ctx: Context, product: string | undefined, opts: { since: string }) {
  const client = await ctx.client();
  if (product === undefined) {
    const { items } = await client.listProductMeasures({ since: opts.since });
    ctx.print(items, () => items.length === 0 ? 'No products to measure.\n' : formatTable(
      ['PRODUCT', 'OWNER', 'TEAMS', 'LIVE', 'REQUESTS', 'SUCCESS', 'READY P50', 'READY P95', 'SLO P95'],
      items.map((m) => [m.product, m.owner, String(m.adoptingTeams), String(m.liveInstances), String(m.requests.requested), percent(m.requests.successRate),
        formatDuration(m.timeToReady.p50Ms), formatDuration(m.timeToReady.p95Ms), slo(m.timeToReady)]),
      ctx.colors,
    ));
    return;
  }
  const m = await client.getProductMeasures(product, { since: opts.since });
  ctx.print(m, () => describeProduct(ctx, m));
}

function describeProduct(ctx: Context, m: ProductMeasures): string {
  const fields = formatFields([
    ['product', `${m.product} (owner ${m.owner})`],
    ['requests since', m.since],
    ['adopting teams', String(m.adoptingTeams)],
    ['live instances', String(m.liveInstances)],
    ['requests', outcomes(m.requests)],
    ['success rate', percent(m.requests.successRate)],
    ['time to Ready', `p50 ${formatDuration(m.timeToReady.p50Ms)}, p95 ${formatDuration(m.timeToReady.p95Ms)} over ${m.timeToReady.count}; SLO p95 ${slo(m.timeToReady)}`],
    ['team onboarding', onboarding(m.teamOnboarding)],
  ], ctx.colors);
  const deprecated = m.deprecatedInstances.length === 0 ? '' : `\n${ctx.colors.bold('on deprecated versions')}\n${formatTable(['TEAM', 'INSTANCES', 'VERSIONS', 'DATE'],
    m.deprecatedInstances.map((d) => [d.team, String(d.instances), d.versions.join(', '), d.date]), ctx.colors)}`;
  if (m.versions.length === 0) return fields + deprecated;
  return `${fields}\n${formatTable(['VERSION', 'LIVE', 'TEAMS', 'REQUESTS', 'SUCCESS', 'READY P50', 'READY P95', 'SLO P95'],
    m.versions.map((v) => [v.version, String(v.liveInstances), String(v.adoptingTeams), String(v.requests.requested), percent(v.requests.successRate),
      formatDuration(v.timeToReady.p50Ms), formatDuration(v.timeToReady.p95Ms), slo(v.timeToReady)]), ctx.colors)}${deprecated}`;
}

async function adoption(ctx: Context, opts: { weeks: string }) {
  const team = ctx.options.team;
  const result: AdoptionMeasures = await (await ctx.client()).getAdoption({ weeks: parseWeeks(opts.weeks), ...(team === undefined ? {} : { team }) });
  ctx.print(result, () => `${result.team === undefined ? 'Every team' : `Team ${result.team}`}: catalogued services with resources from Paved\n`
    + formatTable(['WEEK', 'SERVICES', 'ADOPTED', 'SHARE'], result.weeks.map((w) => [w.week, String(w.services), String(w.adopted), percent(w.share)]), ctx.colors)
    + `\nFrom a team's creation to its first Ready instance: ${onboarding(result.teamOnboarding)}\n`);
}

async function interventions(ctx: Context, opts: { product?: string; weeks: string }) {
  const team = ctx.options.team;
  const result: InterventionMeasures = await (await ctx.client()).getInterventions({
    weeks: parseWeeks(opts.weeks), ...(team === undefined ? {} : { team }), ...(opts.product === undefined ? {} : { product: opts.product }),
  });
  ctx.print(result, () => {
    const kinds = ['retry', 'act-for-team', 'help', 'manual-fix', 'approval'] as const;
    let out = formatTable(['WEEK', 'INTERVENTIONS', ...kinds.map((k) => k.toUpperCase()), 'READY', 'WITHOUT ONE'],
      result.weeks.map((w) => [w.week, String(w.interventions), ...kinds.map((k) => String(w.byKind[k] ?? 0)), String(w.readyRequests),
        w.readyRequests === 0 ? '-' : `${w.readyWithoutIntervention} (${percent(w.unassistedShare)})`]), ctx.colors);
    if (result.perTeam.length > 0) {
      out += `\n${ctx.colors.bold('Per team')}\n` + formatTable(['WEEK', 'TEAM', 'INTERVENTIONS'], result.perTeam.map((t) => [t.week, t.team, String(t.interventions)]), ctx.colors);
    }
    return out;
  });
}

async function feedback(ctx: Context, product: string, opts: { weeks: string }) {
  const result: ProductFeedback = await (await ctx.client()).getProductFeedback(product, { weeks: parseWeeks(opts.weeks) });
  ctx.print(result, () => {
    let out = formatTable(['WEEK', 'RESPONSES', 'AVERAGE', '1', '2', '3', '4', '5'], result.weeks.map((w) => [
      w.week, String(w.responses), w.averageScore === undefined ? '-' : w.averageScore.toFixed(1), ...(['1', '2', '3', '4', '5'] as const).map((s) => String(w.scores[s])),
    ]), ctx.colors);
    out += result.comments.length === 0
      ? '\nNo comments yet.\n'
      : `\n${ctx.colors.bold('Comments')} (newest first)\n` + formatTable(['AT', 'SCORE', 'VERSION', 'TEAM', 'COMMENT'],
        result.comments.map((c) => [c.at, String(c.score), c.version ?? '-', c.team ?? '-', c.comment]), ctx.colors);
    return out;
  });
}

async function helpRequests(ctx: Context, product: string) {
  const client = await ctx.client();
  const items = await allPages((cursor) => client.listHelpRequests(product, cursor === undefined ? {} : { cursor }));
  ctx.print(items, () => items.length === 0 ? `No help requests for ${product}.\n` : formatTable(['AT', 'TEAM', 'INSTANCE', 'ASKED BY', 'MESSAGE'],
    items.map((r) => [r.at, r.team, r.instance, r.actor ?? '-', r.message]), ctx.colors));
}
