import { createClient } from '@paved/client';
import { InputError, type WhoAmI } from '@paved/model';
import type { Command } from 'commander';
import { writeCliConfig } from '../config-file.js';
import { action, type Context, type Runner } from '../context.js';
import { readAll } from '../io.js';
import { formatFields, formatTable } from '../output.js';

export function registerAuthCommands(program: Command, runner: Runner): void {
  program
    .command('login')
    .description('sign in to a Paved server and remember it in the CLI config')
    .option('--oidc', 'sign in with the identity provider (device flow, else a browser on this machine); the token lasts one session')
    .option('--browser', 'with --oidc: use a browser on this machine even when the provider offers the device flow')
    .addHelpText('after', '\nExamples:\n  paved login --url https://paved.example.com --oidc   # sign in with your company account\n  paved login --url http://127.0.0.1:7468 --token -   # reads the token from stdin\n  echo "$TOKEN" | paved login --url https://paved.example.com --token -')
    .action(action(runner, login));

  program
    .command('logout')
    .description('forget the token in the CLI config')
    .addHelpText('after', '\nExample:\n  paved logout')
    .action(action(runner, async (ctx) => {
      const config = await ctx.config();
      // A sign-in session ends at the server too; an API token is only forgotten here (revoke it with paved tokens revoke).
      const ended = config.url && config.token ? await createClient({ url: config.url, token: config.token }).logout().then(() => true, () => false) : false;
      await writeCliConfig(ctx.configPath, { ...config, token: undefined });
      ctx.out(config.token ? `Logged out of ${config.url ?? 'Paved'}${ended ? ' (the sign-in session is ended)' : ''}.\n` : 'Not logged in.\n');
    }));

  program
    .command('whoami')
    .description('show who the current token belongs to and their teams')
    .addHelpText('after', '\nExamples:\n  paved whoami\n  paved whoami -o json')
    .action(action(runner, async (ctx) => {
      const me = await (await ctx.client()).whoami();
      ctx.print(me, () => describeMe(ctx, me));
    }));
}

async function login(ctx: Context, options: { oidc?: boolean; browser?: boolean }): Promise<void> {
  const config = await ctx.config();
  const url = ctx.options.url ?? ctx.io.env.PAVED_URL ?? config.url;
  if (!url) throw new InputError('--url is required', { code: 'url_required', issues: [{ path: '--url', message: 'is required, e.g. http://127.0.0.1:7468' }] });
  // Told before the token first goes out; not refused: local development and private networks use http.
  if (sendsInClear(url)) ctx.err(`warning: ${url} is plain http: your token will cross the network unencrypted (anyone on the way can read and use it). Use https://.\n`);
  // oidc-login.js (a local HTTP server, crypto, a browser) is loaded by the sign-ins that use it.
  let token = options.oidc ? await (await import('./oidc-login.js')).oidcSessionToken(ctx, createClient({ url }), { browser: options.browser === true }) : ctx.options.token ?? ctx.io.env.PAVED_TOKEN;
  // `--token -` keeps the token out of shell history and `ps`.
  if (token === '-') token = (await readAll(ctx.io.stdin)).trim();
  if (!token) throw new InputError('--token is required (use --token - to read it from stdin), or sign in with --oidc', { code: 'token_required', issues: [{ path: '--token', message: 'is required' }] });
  const me = await createClient({ url, token }).whoami();
  const normalized = url.replace(/\/+$/, '');
  await writeCliConfig(ctx.configPath, { url: normalized, token, team: config.url === normalized ? config.team : undefined });
  if (ctx.output !== 'table') return ctx.print(me, () => '');
  ctx.out(`Logged in to ${normalized} as ${ctx.colors.bold(me.user.name)}${me.user.admin ? ' (platform admin)' : ''}.\n`);
  const teams = me.memberships.map((m) => m.teamName);
  ctx.out(teams.length > 0 ? `Teams: ${teams.join(', ')}\n` : 'You are not in any team yet.\n');
}

/** Whether the token would go over the network unencrypted: an http:// URL to a host that is not this machine's loopback. */
export function sendsInClear(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false; // Not a URL: the client refuses it before anything is sent.
  }
  if (parsed.protocol !== 'http:') return false;
  // URL has already normalized the host: 127.1 is 127.0.0.1, an IPv6 address is bracketed and lowercase.
  const host = parsed.hostname.toLowerCase();
  return !(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

function describeMe(ctx: Context, me: WhoAmI): string {
  const head = formatFields([['user', me.user.name], ['admin', me.user.admin ? 'yes' : 'no']], ctx.colors);
  if (me.memberships.length === 0) return head + 'teams:  none\n';
  return head + '\n' + formatTable(['TEAM', 'ROLE'], me.memberships.map((m) => [m.teamName, m.role]), ctx.colors);
}
