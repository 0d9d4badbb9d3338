import { DriverError, UnavailableError, type Instance } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatElapsed, parseTimeout } from '../duration.js';
import { INTERRUPTED_EXIT, waitForInstance } from '../wait.js';

export function registerRotateCommand(program: Command, runner: Runner): void {
  program
    .command('rotate')
    .description('issue new credentials for an instance; the old ones keep working for the plan\'s grace period, then are revoked')
    .argument('<name>', 'instance name')
    .option('--wait', 'wait until the new credentials are issued, and say when the old ones stop working')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .addHelpText('after', '\nExamples:\n  paved rotate orders-db --wait\n  paved env orders-db          # the new credentials, once issued')
    .action(action(runner, rotate));
}

/** When the previous credential stops working, for people: the time and how far off it is. */
function revokeNote(instance: Instance): string {
  const at = instance.credentials.previousRevokeAt;
  if (at === undefined) return 'The previous credentials are already revoked.';
  const inMs = Math.max(0, Date.parse(at) - Date.now());
  return `The previous credentials keep working until ${at} (in ${formatElapsed(inMs)}); then they are revoked.`;
}

async function rotate(ctx: Context, name: string, opts: { wait?: boolean; timeout: string }) {
  const timeoutMs = parseTimeout(opts.timeout);
  const team = await ctx.team();
  const client = await ctx.client();
  const started = Date.now();
  const requested = await client.rotateInstance(team, name);
  const goal = requested.credentials.rotation + 1;
  if (!opts.wait) {
    ctx.print(requested, () => `Requested new credentials for ${name} (credential #${goal}); Paved issues them in the background.\n`
      + `Follow it with: paved get ${name}   Then use them with: paved env ${name}\n`);
    return;
  }
  ctx.err(`Requested new credentials for ${name} (credential #${goal}).\n`);
  const waited = await waitForInstance(ctx.io, client, team, name, { rotation: goal }, timeoutMs);
  switch (waited.outcome) {
    case 'ready':
      ctx.print(waited.instance, () => `${ctx.colors.green('✔')} ${name} has new credentials (credential #${waited.instance.credentials.rotation}, took ${formatElapsed(Date.now() - started)}).\n`
        + `${revokeNote(waited.instance)}\nUse the new ones with: paved env ${name}   or   paved run --instance ${name} -- YOUR-COMMAND\n`);
      return;
    case 'failed': {
      const ready = waited.instance.status.conditions.find((c) => c.type === 'Ready');
      const issues = waited.instance.status.lastError ? [{ path: 'status.lastError', message: waited.instance.status.lastError }] : [];
      throw new DriverError(`${name}: rotation failed: ${ready?.message ?? waited.instance.status.phase}`, { code: ready?.reason ?? 'rotation_failed', issues });
    }
    case 'timeout':
      throw new UnavailableError(`${name} has no new credentials after ${opts.timeout}; Paved keeps working on it (paved get ${name})`, { code: 'wait_timeout' });
    case 'interrupted':
      ctx.err(`Stopped waiting. Paved keeps rotating ${name}'s credentials in the background: paved get ${name}\n`);
      return INTERRUPTED_EXIT;
    case 'deleted':
      throw new DriverError(`${name} was deleted while waiting for its new credentials`, { code: 'instance_deleted' });
  }
}
