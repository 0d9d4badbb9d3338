import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatElapsed, parseTimeout } from '../duration.js';
import { askForFeedback, waitShowingFailureFirst } from '../feedback-prompt.js';
import { waitUntilGone } from '../wait.js';

export function registerReconcileCommand(program: Command, runner: Runner): void {
  program
    .command('reconcile')
    .description('have Paved try again now, e.g. after fixing what made an instance fail: it reconciles at once, with its retry backoff reset')
    .argument('<name>', 'instance name')
    .option('--wait', 'wait until the instance is Ready or Failed (gone, when it is being deleted), showing progress')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .addHelpText('after', '\nExamples:\n  paved reconcile orders-db --wait\n  paved reconcile orders-db --team payments -o json')
    .action(action(runner, reconcile));
}

async function reconcile(ctx: Context, name: string, opts: { wait?: boolean; timeout: string }) {
  const timeoutMs = parseTimeout(opts.timeout);
  const team = await ctx.team();
  const client = await ctx.client();
  const started = Date.now();
  const asked = await client.reconcileInstance(team, name);
  const deleting = asked.deletionRequested;
  // A Ready instance is checked against its target now; a check that finds nothing to do changes
  // nothing visible, so there is no result to wait for.
  if (!opts.wait || asked.status.phase === 'Ready') {
    const what = asked.status.phase === 'Ready' ? `${name} is Ready; Paved checks it against its target now` : `Paved reconciles ${name} now, with its retry backoff reset`;
    ctx.print(asked, () => `${what}.\nFollow it with: paved get ${name}\n`);
    return;
  }
  ctx.err(`Paved reconciles ${name} now, with its retry backoff reset.\n`);
  const timeout = { ms: timeoutMs, text: opts.timeout };
  const took = () => `took ${formatElapsed(Date.now() - started)}`;
  if (deleting) {
    const gone = await waitUntilGone(ctx, team, name, timeout);
    if (typeof gone === 'number') return gone;
    ctx.print({ deleted: true, team, name }, () => `${ctx.colors.green('✔')} ${name} is deleted (${took()}).\n`);
    return;
  }
  const ready = await waitShowingFailureFirst(ctx, team, name, timeout);
  if (typeof ready === 'number') return ready;
  ctx.print(ready, () => `${ctx.colors.green('✔')} ${name} is Ready (${took()}).\nUse its credentials with: paved env ${name}\n`);
  await askForFeedback(ctx, ready);
}
