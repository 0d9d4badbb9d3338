import { DriverError, UnavailableError } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatElapsed, parseTimeout } from '../duration.js';
import { INTERRUPTED_EXIT, instanceFailed, waitForInstance } from '../wait.js';

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
  const waited = await waitForInstance(ctx.io, client, team, name, deleting ? 'deleted' : 'ready', timeoutMs);
  const took = `took ${formatElapsed(Date.now() - started)}`;
  switch (waited.outcome) {
    case 'ready':
      ctx.print(waited.instance, () => `${ctx.colors.green('✔')} ${name} is Ready (${took}).\nUse its credentials with: paved env ${name}\n`);
      return;
    case 'deleted':
      if (!deleting) throw new DriverError(`${name} was deleted while waiting for it to become Ready`, { code: 'instance_deleted' });
      ctx.print({ deleted: true, team, name }, () => `${ctx.colors.green('✔')} ${name} is deleted (${took}).\n`);
      return;
    case 'failed':
      throw instanceFailed(waited.instance);
    case 'timeout':
      throw new UnavailableError(`${name} is not ${deleting ? 'deleted' : 'Ready'} after ${opts.timeout}; Paved keeps working on it (paved get ${name})`, { code: 'wait_timeout' });
    case 'interrupted':
      ctx.err(`Stopped waiting. Paved keeps reconciling ${name} in the background: paved get ${name}\n`);
      return INTERRUPTED_EXIT;
  }
}
