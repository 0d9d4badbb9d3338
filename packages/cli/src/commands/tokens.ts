import { InputError, type IssuedToken, type TokenInfo } from '@paved/model';
import type { Command } from 'commander';
import type { Colors } from '../colors.js';
import { action, type Context, type Runner } from '../context.js';
import { formatTable } from '../output.js';

/** `--expires-in 30d` → 30: tokens expire on whole days. */
export function parseExpiryDays(text: string): number {
  const match = /^(\d{1,3})d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw new InputError(`--expires-in must be a number of days from 1 to 366, such as 30d (got "${text}")`, { code: 'duration_invalid', issues: [{ path: '--expires-in', message: 'is not 1d to 366d' }] });
  }
  return days;
}

/** The signed-in user, unless --user names another (platform admins). */
async function userOf(ctx: Context, user: string | undefined): Promise<string> {
  return user ?? (await (await ctx.client()).whoami()).user.name;
}

function scopeText(token: TokenInfo): string {
  return [token.scope.readOnly ? 'read-only' : 'read-write', token.scope.team ? `team ${token.scope.team}` : 'all teams'].join(', ');
}

export function tokenTable(items: readonly TokenInfo[], colors: Colors, now = Date.now()): string {
  return formatTable(
    ['ID', 'NAME', 'SCOPE', 'CREATED', 'EXPIRES'],
    items.map((t) => [t.id, t.name, scopeText(t), t.createdAt, t.expiresAt === undefined ? 'never' : Date.parse(t.expiresAt) <= now ? `${t.expiresAt} (expired)` : t.expiresAt]),
    colors,
  );
}

/** Prints a token that was just issued: the only time it can be seen. */
export function printIssued(ctx: Context, issued: IssuedToken): void {
  ctx.err(ctx.colors.yellow('warning: this token is shown only once; store it now (it is kept only as a hash)\n'));
  ctx.print(issued, () => `Issued token "${issued.info.name}" for ${issued.info.user} (${scopeText(issued.info)}, expires ${issued.info.expiresAt ?? 'never'}).\ntoken: ${issued.token}\n`);
}

export function registerTokenCommands(program: Command, runner: Runner): void {
  const tokens = program.command('tokens').description('list, create and revoke API tokens (your own; platform admins: anyone\'s with --user)')
    .addHelpText('after', '\nExamples:\n  paved tokens\n  paved tokens create ci --team payments --expires-in 30d\n  paved tokens create dashboards --read-only\n  paved tokens revoke 6f1c…');

  tokens
    .command('list', { isDefault: true })
    .description('list API tokens: name, scope and expiry (never the tokens themselves)')
    .option('--user <user>', 'another user\'s tokens (platform admins)')
    .action(action(runner, async (ctx, opts: { user?: string }) => {
      const { items } = await (await ctx.client()).listTokens(await userOf(ctx, opts.user));
      ctx.print(items, () => tokenTable(items, ctx.colors));
    }));

  tokens
    .command('create')
    .description('create an API token (shown once): limited to one team, read-only, and expiring as you choose')
    .argument('<name>', 'what the token is for, to tell tokens apart (lowercase letters, digits, "-")')
    .option('--user <user>', 'for another user (platform admins)')
    .option('--team <team>', 'the only team the token may act for (a CI token)')
    .option('--read-only', 'the token may only read', false)
    .option('--expires-in <days>', 'days until it stops working, 1d to 366d', '90d')
    .addHelpText('after', '\nExamples:\n  paved tokens create ci --team payments --expires-in 30d\n  paved tokens create grafana --read-only -o json')
    .action(action(runner, async (ctx, name: string, opts: { user?: string; readOnly: boolean; expiresIn: string }) => {
      const issued = await (await ctx.client()).createToken(await userOf(ctx, opts.user), {
        name,
        expiresInDays: parseExpiryDays(opts.expiresIn),
        readOnly: opts.readOnly,
        // The program's global --team takes `--team T` wherever it is written (this command's
        // option is declared for its help line; its own value stays unset): the flag given is the
        // team the token is limited to, never PAVED_TEAM or the CLI config's team, which only
        // choose whom a command acts for.
        ...(ctx.options.team ? { team: ctx.options.team } : {}),
      });
      printIssued(ctx, issued);
    }));

  tokens
    .command('revoke')
    .description('revoke an API token: it stops working with the next request')
    .argument('<id>', 'the token\'s id (paved tokens)')
    .option('--user <user>', 'another user\'s token (platform admins)')
    .action(action(runner, async (ctx, id: string, opts: { user?: string }) => {
      const user = await userOf(ctx, opts.user);
      await (await ctx.client()).revokeToken(user, id);
      ctx.print({ revoked: id, user }, () => `Revoked token ${id} of ${user}.\n`);
    }));
}
