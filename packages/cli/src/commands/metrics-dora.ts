import type { DoraLevel, DoraMetrics } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatTable } from '../output.js';

/** `paved metrics dora`: the DORA delivery metrics of a service, a team, or every service you may see. */
export function registerDoraCommand(metrics: Command, runner: Runner): void {
  metrics
    .command('dora')
    .description('DORA delivery metrics over whole days: of --service (in --team), of --team, or of every service you may see')
    .option('--service <service>', 'one service of the team (--team, PAVED_TEAM or your only team)')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD (included)')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD (included)')
    .addHelpText('after', [
      '',
      'Without --service or --team: every service of your teams (the whole organisation for a platform admin).',
      'Days and weeks (Monday to Sunday) are UTC unless the server sets PAVED_DORA_TIME_ZONE. Definitions: docs/metrics/dora.md.',
      '',
      'Examples:',
      '  paved metrics dora --service payments-api --from 2025-03-03 --to 2025-04-27',
      '  paved metrics dora --team payments --from 2025-03-03 --to 2025-04-27 -o json',
    ].join('\n'))
    .action(action(runner, async (ctx, opts: { service?: string; from: string; to: string }) => {
      const client = await ctx.client();
      // Only an explicit --team narrows the report; the team a service belongs to may come from the usual places.
      const team = opts.service !== undefined ? await ctx.team() : ctx.options.team;
      const report = await client.doraMetrics({ from: opts.from, to: opts.to, ...(team ? { team } : {}), ...(opts.service ? { service: opts.service } : {}) });
      ctx.print(report, () => doraTable(ctx, report));
    }));
}

function level(value: DoraLevel | null): string {
  return value ?? 'n/a';
}

function duration(minutes: number | null): string {
  if (minutes === null) return 'n/a';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h (${minutes} min)`;
  return `${(minutes / 1440).toFixed(1)} days (${minutes} min)`;
}

/** "1 change", "2 changes". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)} %`;
}

export function doraTable(ctx: Context, r: DoraMetrics): string {
  const scope = r.scope.kind === 'service' ? `service ${r.scope.team}/${r.scope.service}`
    : r.scope.kind === 'team' ? `team ${r.scope.team}` : r.scope.kind === 'organisation' ? 'the organisation' : 'your teams';
  const head = `DORA metrics of ${scope} (${count(r.scope.services.length, 'service')}), ${r.window.from} to ${r.window.to} (${r.window.timeZone}), ${count(r.deployments, 'production deployment')}\n\n`;
  const table = formatTable(['METRIC', 'VALUE', 'LEVEL'], [
    ['deployment frequency', `median ${r.deploymentFrequency.medianDeploymentDaysPerWeek} deployment days/week, ${r.deploymentFrequency.medianDeploymentDaysPerMonth}/month`, level(r.deploymentFrequency.level)],
    ['lead time for changes', `${duration(r.leadTime.medianMinutes)} median over ${count(r.leadTime.changes, 'change')}`, level(r.leadTime.level)],
    ['change failure rate', `${percent(r.changeFailureRate.rate)} (${r.changeFailureRate.failed} of ${count(r.changeFailureRate.deployments, 'deployment')})`, level(r.changeFailureRate.level)],
    ['failed deployment recovery time', `${duration(r.failedDeploymentRecoveryTime.medianMinutes)} median over ${count(r.failedDeploymentRecoveryTime.incidents, 'incident')}`, level(r.failedDeploymentRecoveryTime.level)],
    ['deployment rework rate', `${percent(r.reworkRate.rate)} (${r.reworkRate.reworked} of ${count(r.reworkRate.deployments, 'deployment')})`, 'no DORA levels'],
  ], ctx.colors);
  const problems = r.dataQuality.problems.length === 0 ? '\nNo data-quality problems found.\n' : `\nData quality:\n${r.dataQuality.problems.map((p) => `  - ${p}\n`).join('')}`;
  return head + table + problems;
}
