import { InputError, WEBHOOK_SOURCES, type DeliveryRecorded, type WebhookSettings, type WebhookSource } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { readAll } from '../io.js';
import { formatTable } from '../output.js';

/**
 * `paved events …`: delivery events from anything that is not GitHub or GitLab (a CI system,
 * a pager), recorded for one of the team's services; and the webhook secrets (platform admins).
 * Times default to now, so a CI step can run `paved events deployment api --id $RUN --env production`.
 */
export function registerEventCommands(program: Command, runner: Runner): void {
  const events = program.command('events').description("record a service's deployments, changes and incidents (for the DORA metrics); webhook secrets")
    .addHelpText('after', [
      '',
      'GitHub and GitLab send these by webhook (docs/metrics/dora.md); record them here from anything else.',
      'Times are ISO 8601 with a UTC offset (2025-03-03T10:12:33+01:00) and default to now.',
      '',
      'Examples:',
      '  paved events deployment payments-api --id "$CI_RUN_ID" --env production --sha "$GIT_SHA"',
      '  paved events change payments-api --id PR-42 --first-commit-at 2025-03-03T09:00:00Z --merged-at 2025-03-04T10:00:00Z --deployment 1234',
      '  paved events incident payments-api --id INC-7 --created-at 2025-03-04T11:00:00Z --resolved-at 2025-03-04T12:30:00Z',
      '  printf %s "$SECRET" | paved events webhook-secret github',
    ].join('\n'));

  events
    .command('deployment')
    .description('record a deployment of a service (recording the same --id again replaces it)')
    .argument('<service>')
    .requiredOption('--id <id>', "your CI system's id for the deployment")
    .requiredOption('--env <environment>', 'environment; production when it matches the configured pattern (default (?i)prod)')
    .option('--status <status>', 'success or failure', 'success')
    .option('--finished-at <time>', 'when it finished (default: now)')
    .option('--started-at <time>', 'when it started (default: when it finished)')
    .option('--sha <sha>', 'the deployed commit')
    .option('--ref <ref>', 'the deployed branch or tag')
    .action(action(runner, async (ctx, service: string, opts: { id: string; env: string; status: string; finishedAt?: string; startedAt?: string; sha?: string; ref?: string }) => {
      if (opts.status !== 'success' && opts.status !== 'failure') {
        throw new InputError(`--status must be success or failure (got "${opts.status}")`, { code: 'status_invalid', issues: [{ path: '--status', message: 'must be success or failure' }] });
      }
      const recorded = await (await ctx.client()).recordDeployment(await ctx.team(), service, {
        id: opts.id, environment: opts.env, status: opts.status, finishedAt: opts.finishedAt ?? now(),
        ...(opts.startedAt ? { startedAt: opts.startedAt } : {}), ...(opts.sha ? { commitSha: opts.sha } : {}), ...(opts.ref ? { ref: opts.ref } : {}),
      });
      printRecorded(ctx, recorded);
    }));

  events
    .command('change')
    .description('record a change (a merged pull request, or any change) of a service')
    .argument('<service>')
    .requiredOption('--id <id>', 'your id for the change')
    .option('--merged-at <time>', 'when it was merged (default: now)')
    .option('--first-commit-at <time>', 'when its first commit was authored')
    .option('--opened-at <time>', 'when it was proposed (a pull request opened)')
    .option('--sha <sha>', 'the commit that brought it onto the deployed branch')
    .option('--deployment <id>', 'the id of the deployment that shipped it')
    .option('--title <title>')
    .action(action(runner, async (ctx, service: string, opts: { id: string; mergedAt?: string; firstCommitAt?: string; openedAt?: string; sha?: string; deployment?: string; title?: string }) => {
      const recorded = await (await ctx.client()).recordChange(await ctx.team(), service, {
        id: opts.id, mergedAt: opts.mergedAt ?? now(),
        ...(opts.firstCommitAt ? { firstCommitAt: opts.firstCommitAt } : {}), ...(opts.openedAt ? { openedAt: opts.openedAt } : {}),
        ...(opts.sha ? { commitSha: opts.sha } : {}), ...(opts.deployment ? { deployment: opts.deployment } : {}), ...(opts.title ? { title: opts.title } : {}),
      });
      printRecorded(ctx, recorded);
    }));

  events
    .command('incident')
    .description('record an incident of a service; record it again when it is over, with its --created-at and --resolved-at (the same --id replaces it)')
    .argument('<service>')
    .requiredOption('--id <id>', "your pager's id for the incident")
    .option('--created-at <time>', 'when it began (default: now)')
    .option('--resolved-at <time>', 'when it was resolved')
    .option('--title <title>')
    .action(action(runner, async (ctx, service: string, opts: { id: string; createdAt?: string; resolvedAt?: string; title?: string }) => {
      const recorded = await (await ctx.client()).recordIncident(await ctx.team(), service, {
        id: opts.id, createdAt: opts.createdAt ?? now(), ...(opts.resolvedAt ? { resolvedAt: opts.resolvedAt } : {}), ...(opts.title ? { title: opts.title } : {}),
      });
      printRecorded(ctx, recorded);
    }));

  events
    .command('webhooks')
    .description("where the GitHub and GitLab webhook secrets come from (platform admins; never the secrets)")
    .action(action(runner, async (ctx) => {
      const settings = await (await ctx.client()).webhookSettings();
      ctx.print(settings, () => webhookTable(ctx, settings));
    }));

  events
    .command('webhook-secret')
    .description("set or rotate a webhook source's secret, read from standard input (platform admins)")
    .argument('<source>', 'github or gitlab')
    .option('--previous-valid-for <seconds>', 'seconds the secret in force before stays valid while you update the source', '3600')
    .action(action(runner, async (ctx, source: string, opts: { previousValidFor: string }) => {
      if (!(WEBHOOK_SOURCES as readonly string[]).includes(source)) {
        throw new InputError(`source must be github or gitlab (got "${source}")`, { code: 'webhook_source_invalid', issues: [{ path: 'source', message: 'must be github or gitlab' }] });
      }
      const seconds = Number(opts.previousValidFor);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 604_800) {
        throw new InputError('--previous-valid-for must be a whole number of seconds from 0 to 604800', { code: 'duration_invalid', issues: [{ path: '--previous-valid-for', message: 'must be 0 to 604800' }] });
      }
      // From stdin, never a flag: a secret on the command line ends up in the shell's history.
      const secret = (await readAll(ctx.io.stdin)).trim();
      const settings = await (await ctx.client()).setWebhookSecret(source as WebhookSource, { secret, previousValidForSeconds: seconds });
      ctx.print(settings, () => `The ${source} webhook secret is set${settings.previousValidUntil ? `; the previous one is accepted until ${settings.previousValidUntil}` : ''}.\n`);
    }));
}

function now(): string {
  return new Date().toISOString();
}

function printRecorded(ctx: Context, recorded: DeliveryRecorded): void {
  ctx.print(recorded, () => `${recorded.kind} ${recorded.id} recorded for ${recorded.team}/${recorded.service}\n`);
}

function webhookTable(ctx: Context, settings: readonly WebhookSettings[]): string {
  const origin = { runtime: 'set by an admin', environment: 'environment', none: 'none: deliveries are refused' } as const;
  return formatTable(['SOURCE', 'SECRET', 'UPDATED', 'PREVIOUS VALID UNTIL'], settings.map((s) => [s.source, origin[s.origin], s.updatedAt ?? '', s.previousValidUntil ?? '']), ctx.colors);
}
