import type { Readable } from 'node:stream';
import { InputError, UnavailableError, type Instance, type Rollout, type UpgradeResult } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatElapsed, parseTimeout } from '../duration.js';
import { formatFields, formatTable } from '../output.js';
import { instanceFailed } from '../wait.js';
import { formatDecisions } from './policies.js';

/** Upgrades, holds and fleet rollouts (docs/rollouts.md). */
export function registerRolloutCommands(program: Command, runner: Runner): void {
  program
    .command('upgrade')
    .description('move an instance to another version of its product, after a preview of what changes (inputs, outputs, plan limits)')
    .argument('<name>', 'instance name')
    .option('--to <version>', "the version to move to (default: the product's latest version that is not a pre-release)")
    .option('--dry-run', 'show the preview only; change nothing')
    .option('--yes', 'do not ask before upgrading')
    .option('--allow-downgrade', 'allow moving to an older version')
    .option('--hold', 'instead of upgrading, hold the instance on its version (with --reason), as paved hold does')
    .option('--reason <text>', 'why the instance is held (with --hold)')
    .option('--wait', 'wait until the instance is Ready on the new version, or Failed')
    .option('--timeout <duration>', 'how long --wait waits', '10m')
    .addHelpText('after', '\nExamples:\n  paved upgrade orders-db --dry-run\n  paved upgrade orders-db --to 1.2.0 --yes --wait\n  paved upgrade orders-db --hold --reason "load test until Friday"')
    .action(action(runner, upgrade));

  program
    .command('hold')
    .description('keep an instance on its version: rollouts skip it and report it')
    .argument('<name>', 'instance name')
    .requiredOption('--reason <text>', 'why (shown in rollouts)')
    .addHelpText('after', '\nExample:\n  paved hold orders-db --reason "quarter-end freeze"')
    .action(action(runner, (ctx: Context, name: string, opts: { reason: string }) => hold(ctx, name, opts.reason)));

  program
    .command('unhold')
    .description('lift the hold on an instance: the next rollouts upgrade it')
    .argument('<name>', 'instance name')
    .action(action(runner, unhold));

  const rollout = program
    .command('rollout')
    .description("roll a version out to every instance of a product on an older one, in health-gated waves (the product's owner team)")
    .argument('[product]', 'product name')
    .option('--to <version>', 'the version to roll out')
    .option('--canary <percent>', 'share of the instances in the first wave', '10%')
    .option('--batch-growth <factor>', 'each later wave is this many times the one before', '2')
    .option('--soak <duration>', 'how long each wave must stay healthy before the next starts', '30s')
    .option('--ready-timeout <duration>', 'how long an upgraded instance may take to be Ready', '10m')
    .addHelpText('after', '\nExamples:\n  paved rollout postgres --to 1.2.0 --canary 10% --batch-growth 2 --soak 5m\n  paved rollout status postgres\n  paved rollout pause postgres')
    .action(action(runner, startRollout));
  rollout.command('status').description('a product\'s newest rollout, or every rollout (newest first) without PRODUCT').argument('[product]', 'product name')
    .action(action(runner, rolloutStatus));
  rollout.command('pause').description('pause a product\'s rollout: no wave starts or soaks until it is resumed').argument('<product>', 'product name')
    .action(action(runner, (ctx: Context, product: string) => setPaused(ctx, product, true)));
  rollout.command('resume').description('resume a paused rollout; a soaking wave soaks again in full').argument('<product>', 'product name')
    .action(action(runner, (ctx: Context, product: string) => setPaused(ctx, product, false)));
}

interface UpgradeOptions {
  to?: string; dryRun?: boolean; yes?: boolean; allowDowngrade?: boolean; hold?: boolean; reason?: string; wait?: boolean; timeout: string;
}

function previewText(result: UpgradeResult): string {
  const { preview } = result;
  const lines = [`${preview.team}/${preview.instance}: ${preview.product} ${preview.from} → ${preview.to} (plan ${preview.plan})`];
  if (preview.from === preview.to) lines.push('  already on that version: nothing to do');
  else if (preview.changes.length === 0) lines.push('  no change to inputs, outputs or plan limits');
  for (const change of preview.changes) lines.push(`  ${change.change === 'added' ? '+' : change.change === 'removed' ? '-' : '~'} ${change.message}`);
  if (preview.blocked !== undefined) lines.push(`  cannot upgrade: ${preview.blocked}`);
  return `${lines.join('\n')}\n${formatDecisions(preview.decisions ?? [])}`;
}

async function upgrade(ctx: Context, name: string, opts: UpgradeOptions) {
  if (opts.hold) {
    if (opts.reason === undefined) throw new InputError('--hold needs --reason: say why the instance stays on its version', { code: 'invalid_input', issues: [{ path: '--reason', message: 'required with --hold' }] });
    return hold(ctx, name, opts.reason);
  }
  const timeoutMs = parseTimeout(opts.timeout);
  const team = await ctx.team();
  const client = await ctx.client();
  const request = { ...(opts.to === undefined ? {} : { to: opts.to }), ...(opts.allowDowngrade ? { allowDowngrade: true } : {}) };
  const preview = await client.upgradeInstance(team, name, { ...request, dryRun: true });
  if (opts.dryRun || preview.preview.from === preview.preview.to || preview.preview.blocked !== undefined) {
    ctx.print(preview, () => previewText(preview));
    return preview.preview.blocked === undefined ? 0 : 1;
  }
  ctx.err(previewText(preview));
  if (!opts.yes && !(await confirmed(ctx, `Upgrade ${name} to ${preview.preview.to}?`))) {
    ctx.err('Nothing changed.\n');
    return 1;
  }
  const started = Date.now();
  const done = await client.upgradeInstance(team, name, { ...request, to: preview.preview.to });
  if (!opts.wait) {
    ctx.print(done, () => `Upgrading ${name} to ${done.preview.to}: Paved runs the driver's update and the contract checks in the background.\nFollow it with: paved get ${name}\n`);
    return;
  }
  const settled = await settledOn(ctx, team, name, done.preview.to, timeoutMs, opts.timeout);
  if (settled.status.phase === 'Failed') throw instanceFailed(settled);
  ctx.print(settled, () => `${ctx.colors.green('✔')} ${name} is Ready on ${done.preview.to} (took ${formatElapsed(Date.now() - started)}).\n`);
}

/** Asks on a terminal; elsewhere only --yes may say yes. */
async function confirmed(ctx: Context, question: string): Promise<boolean> {
  const terminal = (ctx.io.stdin as { isTTY?: boolean }).isTTY === true && ctx.io.stderr.isTTY === true;
  if (!terminal) {
    throw new InputError('Not a terminal, so nobody can confirm: pass --yes to upgrade, or --dry-run to only see the preview', {
      code: 'confirmation_required', issues: [{ path: '--yes', message: 'required without a terminal' }],
    });
  }
  // Loaded here: only an interactive upgrade asks (clack is ≈ 30 KB the other commands skip).
  const { confirm, isCancel } = await import('@clack/prompts');
  const answer = await confirm({ message: question, input: ctx.io.stdin as Readable, initialValue: false });
  return !isCancel(answer) && answer === true;
}

/** Polls until the engine has reconciled the new version: Ready or Failed there. */
async function settledOn(ctx: Context, team: string, name: string, version: string, timeoutMs: number, timeoutText: string): Promise<Instance> {
  const client = await ctx.client();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const instance = await client.getInstance(team, name);
    const reconciled = instance.productVersion === version && instance.observedGeneration >= instance.generation;
    if (reconciled && (instance.status.phase === 'Ready' || instance.status.phase === 'Failed')) return instance;
    if (Date.now() > deadline) throw new UnavailableError(`${name} is not Ready on ${version} after ${timeoutText}; Paved keeps working on it (paved get ${name})`, { code: 'wait_timeout' });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function hold(ctx: Context, name: string, reason: string) {
  const team = await ctx.team();
  const held = await (await ctx.client()).holdInstance(team, name, reason);
  ctx.print(held, () => `${name} is held on its version: rollouts skip it. Lift it with: paved unhold ${name}\n`);
}

async function unhold(ctx: Context, name: string) {
  const team = await ctx.team();
  await (await ctx.client()).unholdInstance(team, name);
  ctx.print({ team, instance: name, held: false }, () => `${name} is not held: the next rollouts upgrade it.\n`);
}

interface RolloutOptions { to?: string; canary: string; batchGrowth: string; soak: string; readyTimeout: string }

function numberFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text.replace(/%$/, ''));
  if (!(Number.isFinite(value) && value >= min && value <= max)) {
    throw new InputError(`${flag} must be a number from ${min} to ${max} (got "${text}")`, { code: 'invalid_input', issues: [{ path: flag, message: `must be from ${min} to ${max}` }] });
  }
  return value;
}

async function startRollout(ctx: Context, product: string | undefined, opts: RolloutOptions) {
  if (product === undefined || opts.to === undefined) {
    throw new InputError('Name the product and the version: paved rollout PRODUCT --to VERSION (see rollouts with: paved rollout status)', {
      code: 'invalid_input', issues: [{ path: product === undefined ? 'product' : '--to', message: 'required' }],
    });
  }
  const soakMs = opts.soak === '0' || opts.soak === '0s' ? 0 : parseTimeout(opts.soak, '--soak');
  const rollout = await (await ctx.client()).startRollout(product, {
    to: opts.to,
    canaryPercent: numberFlag('--canary', opts.canary, 0.01, 100),
    batchGrowth: numberFlag('--batch-growth', opts.batchGrowth, 1, 100),
    soakSeconds: Math.round(soakMs / 1000),
    readyTimeoutSeconds: Math.max(1, Math.round(parseTimeout(opts.readyTimeout, '--ready-timeout') / 1000)),
  });
  ctx.print(rollout, () => `${rolloutText(ctx, rollout)}Follow it with: paved rollout status ${product}\n`);
}

async function rolloutStatus(ctx: Context, product: string | undefined) {
  const client = await ctx.client();
  if (product !== undefined) {
    const rollout = await client.getRollout(product);
    ctx.print(rollout, () => rolloutText(ctx, rollout));
    return;
  }
  const page = await client.listRollouts();
  ctx.print(page, () => page.items.length === 0 ? 'No rollouts yet. Start one with: paved rollout PRODUCT --to VERSION\n' : formatTable(
    ['PRODUCT', 'TO', 'STATE', 'WAVE', 'INSTANCES', 'STARTED'],
    page.items.map((r) => [r.product, r.toVersion, r.state, `${r.wave + 1}/${r.waves}`, counts(r), r.createdAt]),
    ctx.colors,
  ));
}

async function setPaused(ctx: Context, product: string, paused: boolean) {
  const client = await ctx.client();
  const rollout = paused ? await client.pauseRollout(product) : await client.resumeRollout(product);
  ctx.print(rollout, () => rolloutText(ctx, rollout));
}

function counts(rollout: Rollout): string {
  const by = new Map<string, number>();
  for (const target of rollout.targets) by.set(target.state, (by.get(target.state) ?? 0) + 1);
  return [...by].map(([state, n]) => `${n} ${state}`).join(', ') || 'none';
}

function rolloutText(ctx: Context, rollout: Rollout): string {
  // A finished rollout has no stage in progress: its last wave's stage would read as if it still soaked.
  const finished = rollout.state === 'Completed' || rollout.state === 'Halted';
  const soak = !finished && rollout.stage === 'soaking' && rollout.soakStartedAt !== undefined ? ` (soaking since ${rollout.soakStartedAt})` : '';
  const head = formatFields([
    ['Product', `${rollout.product} → ${rollout.toVersion}`],
    ['State', rollout.state],
    ['Wave', finished ? `${rollout.wave + 1} of ${rollout.waves}` : `${rollout.wave + 1} of ${rollout.waves}, ${rollout.stage}${soak}`],
    ['Settings', `canary ${rollout.settings.canaryPercent}%, growth ×${rollout.settings.batchGrowth}, soak ${rollout.settings.soakMs / 1000}s`],
    ['Instances', counts(rollout)],
    ['Message', rollout.message || undefined],
    ['Started', `${rollout.createdAt} by ${rollout.createdBy}`],
  ], ctx.colors);
  const rows = rollout.targets.map((t) => [`${t.team}/${t.instance}`, t.fromVersion, String(t.wave + 1), t.state, t.message]);
  return `${head}\n${rows.length === 0 ? '' : formatTable(['INSTANCE', 'FROM', 'WAVE', 'STATE', 'NOTE'], rows, ctx.colors)}`;
}
