import { PHASES, errorCatalogue, type Instance, type Phase } from '@paved/model';
import { Option, type Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatAge, formatElapsed, parseTimeout } from '../duration.js';
import { formatFields, formatTable } from '../output.js';
import { mergeInputs, parseSetValues } from '../set-values.js';
import { askForFeedback, waitShowingFailureFirst } from '../feedback-prompt.js';
import { describeStatus, waitUntilGone } from '../wait.js';
import { deprecationText, warnDeprecated } from './product-evolution.js';
import { allPages } from './teams.js';
import { formatPreview } from './policies.js';

const collect = (value: string, previous: string[]) => [...previous, value];

interface CreateOptions { plan?: string; version?: string; set: string[]; env?: string; dryRun?: boolean; wait?: boolean; timeout: string }

export function registerInstanceCommands(program: Command, runner: Runner): void {
  program
    .command('create')
    .description('request an instance of a product for your team')
    .argument('<product>', 'product name (see: paved products)')
    .argument('<name>', 'instance name (lowercase letters, digits, "-")')
    .option('--plan <plan>', 'plan (default: the product\'s default plan)')
    .option('--version <version>', 'product version (default: the latest)')
    .option('--set <key=value>', 'an input; JSON values parse (numbers, booleans, arrays), dotted keys nest; repeatable', collect, [])
    .option('--env <environment>', 'the environment it serves (dev, staging, prod…): policies judge by it')
    .option('--dry-run', 'show every policy decision and quota, and create nothing')
    .option('--wait', 'wait until the instance is Ready or Failed, showing progress')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .addHelpText('after', '\nExamples:\n  paved create postgres orders-db --wait\n  paved create postgres orders-db --team payments --plan large --set extensions=\'["citext"]\'\n  paved create postgres orders-db --plan large --env prod --dry-run')
    .action(action(runner, create));

  program
    .command('list')
    .description('list your team\'s instances')
    .option('--all-teams', 'every team you can see (platform admins see all)')
    .option('--product <product>', 'only instances of this product')
    .addOption(new Option('--phase <phase>', 'only instances in this phase').choices([...PHASES]))
    .addHelpText('after', '\nExamples:\n  paved list\n  paved list --team payments -o json\n  paved list --all-teams\n  paved list --phase Failed\n  paved list --product postgres --phase Ready')
    .action(action(runner, list));

  program
    .command('get')
    .description('show an instance: spec, status, conditions and non-secret outputs')
    .argument('<name>', 'instance name')
    .addHelpText('after', '\nExample:\n  paved get orders-db -o yaml')
    .action(action(runner, async (ctx, name: string) => {
      const team = await ctx.team();
      const instance = await (await ctx.client()).getInstance(team, name);
      ctx.print(instance, () => describeInstance(ctx, instance));
    }));

  program
    .command('delete')
    .description('delete an instance and everything it provisioned')
    .argument('<name>', 'instance name')
    .option('--wait', 'wait until it is gone')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .addHelpText('after', '\nExample:\n  paved delete orders-db --wait')
    .action(action(runner, remove));

  program
    .command('update')
    .description('change an instance\'s plan, version or inputs (--set merges into the current inputs)')
    .argument('<name>', 'instance name')
    .option('--plan <plan>', 'new plan')
    .option('--version <version>', 'new product version')
    .option('--set <key=value>', 'an input to change; repeatable', collect, [])
    .option('--dry-run', 'show every policy decision and quota, and change nothing')
    .addHelpText('after', '\nExample:\n  paved update orders-db --plan large --set extensions=\'["citext","pgcrypto"]\'')
    .action(action(runner, async (ctx, name: string, opts: { plan?: string; version?: string; set: string[]; dryRun?: boolean }) => {
      const team = await ctx.team();
      const client = await ctx.client();
      const patch = parseSetValues(opts.set);
      const request = {
        ...(opts.plan ? { plan: opts.plan } : {}),
        ...(opts.version ? { version: opts.version } : {}),
        ...(opts.set.length > 0 ? { inputs: mergeInputs((await client.getInstance(team, name)).inputs, patch) } : {}),
      };
      if (opts.dryRun) {
        const preview = await client.previewUpdateInstance(team, name, request);
        ctx.print(preview, () => formatPreview(ctx, preview).replace('would be created', 'would be changed'));
        return preview.outcome === 'denied' ? errorCatalogue['not-allowed'].exitCode : 0;
      }
      const instance = await client.updateInstance(team, name, request);
      ctx.print(instance, () => `Updated ${instance.name} (generation ${instance.generation}); Paved is applying the change.\n`);
    }));
}

async function create(ctx: Context, product: string, name: string, opts: CreateOptions) {
  const timeoutMs = parseTimeout(opts.timeout);
  const inputs = parseSetValues(opts.set);
  const team = await ctx.team();
  const client = await ctx.client();
  const started = Date.now();
  const request = {
    name, product,
    ...(opts.plan ? { plan: opts.plan } : {}),
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.set.length > 0 ? { inputs } : {}),
    ...(opts.env ? { environment: opts.env } : {}),
  };
  if (opts.dryRun) {
    const preview = await client.previewCreateInstance(team, request);
    ctx.print(preview, () => formatPreview(ctx, preview));
    return preview.outcome === 'denied' ? errorCatalogue['not-allowed'].exitCode : 0;
  }
  // With --wait, one request: the create answers with the status stream the wait follows.
  const created = opts.wait ? await client.createWatched(team, request) : undefined;
  const instance = created ? created.instance : await client.createInstance(team, request);
  if (instance.status.phase === 'AwaitingApproval') {
    await created?.close();
    const approvers = instance.status.approval?.approvers ?? 'its approvers';
    ctx.print(instance, () => `Requested ${instance.name}; it waits for approval by team ${approvers} (policies: ${instance.status.approval?.policies.join(', ') ?? '?'}).
`
      + `Follow it with: paved get ${instance.name}   (its approvers decide with: paved approvals list)
`);
    return;
  }
  if (!opts.wait) {
    ctx.print(instance, () => `Requested ${instance.name} (${instance.product}@${instance.productVersion}, plan ${instance.plan}) for team ${team}.\n`
      + `Follow it with: paved get ${instance.name}\n`);
    return;
  }
  ctx.err(`Requested ${instance.name} (${instance.product}@${instance.productVersion}, plan ${instance.plan}) for team ${team}.\n`);
  const ready = await waitShowingFailureFirst(ctx, team, name, { ms: timeoutMs, text: opts.timeout }, created && ((options) => created.follow(options)));
  if (typeof ready === 'number') return ready;
  ctx.print(ready, () => `${ctx.colors.green('✔')} ${name} is Ready (took ${formatElapsed(Date.now() - started)}).\n`
    + `Use its credentials with: paved env ${name}   or   paved run --instance ${name} -- YOUR-COMMAND\n`);
  await askForFeedback(ctx, ready);
}

async function remove(ctx: Context, name: string, opts: { wait?: boolean; timeout: string }) {
  const timeoutMs = parseTimeout(opts.timeout);
  const team = await ctx.team();
  const instance = await (await ctx.client()).deleteInstance(team, name);
  if (!opts.wait) {
    ctx.print(instance, () => `Deleting ${name}; Paved removes it in the background (paved get ${name}).\n`);
    return;
  }
  const gone = await waitUntilGone(ctx, team, name, { ms: timeoutMs, text: opts.timeout });
  if (typeof gone === 'number') return gone;
  ctx.print({ deleted: true, team, name }, () => `${ctx.colors.green('✔')} ${name} is deleted.\n`);
}

async function list(ctx: Context, opts: { allTeams?: boolean; product?: string; phase?: Phase }) {
  const client = await ctx.client();
  const teams = opts.allTeams ? (await allPages((cursor) => client.listTeams({ cursor }))).map((t) => t.name) : [await ctx.team()];
  const filter = { ...(opts.product ? { product: opts.product } : {}), ...(opts.phase ? { phase: opts.phase } : {}) };
  const items: Instance[] = [];
  for (const team of teams) {
    for await (const instance of client.iterateInstances(team, filter)) items.push(instance);
  }
  ctx.print(items, () => {
    if (items.length === 0) {
      return Object.keys(filter).length > 0 ? 'No instances match.\n' : `No instances. Create one with: paved create PRODUCT NAME\n`;
    }
    const headers = ['NAME', 'PRODUCT', 'PLAN', 'PHASE', 'AGE'];
    const shown = withPartsUnderParents(items);
    const rows = shown.map(({ instance: i, part }) => [part ? `  └ ${i.name}` : i.name, `${i.product}@${i.productVersion}${i.hold === undefined ? '' : ' (held)'}`, i.plan, phaseColor(ctx, i.status.phase), formatAge(i.createdAt)]);
    return opts.allTeams
      ? formatTable(['TEAM', ...headers], rows.map((r, n) => [shown[n]!.instance.teamName, ...r]), ctx.colors)
      : formatTable(headers, rows, ctx.colors);
  });
  warnDeprecated(ctx, items);
}

/**
 * Composition: the parts of a composite instance listed right under it (indented), in their
 * listing order; a part whose parent is not in the listing stays where it is.
 */
function withPartsUnderParents(items: readonly Instance[]): { instance: Instance; part: boolean }[] {
  const ids = new Set(items.map((i) => i.id));
  const partsOf = new Map<string, Instance[]>();
  for (const i of items) {
    if (i.parent === undefined || !ids.has(i.parent.id)) continue;
    partsOf.set(i.parent.id, [...(partsOf.get(i.parent.id) ?? []), i]);
  }
  return items
    .filter((i) => i.parent === undefined || !ids.has(i.parent.id))
    .flatMap((i) => [{ instance: i, part: false }, ...(partsOf.get(i.id) ?? []).map((p) => ({ instance: p, part: true }))]);
}

function phaseColor(ctx: Context, phase: string): string {
  const c = ctx.colors;
  return phase === 'Ready' ? c.green(phase) : phase === 'Failed' || phase === 'Denied' ? c.red(phase) : c.yellow(phase);
}

/** Which credential is current, and whether a rotation or a revocation is pending. */
function describeCredentials(i: Instance): string {
  const { rotation, rotating, previousRevokeAt } = i.credentials;
  const parts = [`#${rotation}`];
  if (rotating) parts.push(`#${rotation + 1} being issued`);
  // Pending: the time is when the previous credential stops working, as paved rotate said (not when it did).
  if (previousRevokeAt !== undefined) parts.push(`previous works until ${previousRevokeAt}`);
  return parts.join(', ');
}

/** Who decides a held request, or who decided it and why (docs/policies.md#approvals). */
function describeApproval(i: Instance): string | undefined {
  const approval = i.status.approval;
  if (approval === undefined) return undefined;
  const policies = approval.policies.join(', ');
  if (approval.state === 'Waiting') return `waiting for team ${approval.approvers} (policies: ${policies}; paved approvals list)`;
  return `${approval.state.toLowerCase()} by ${approval.decidedBy ?? '?'}${approval.reason ? `: ${approval.reason}` : ''} (policies: ${policies}; paved history ${i.name})`;
}

function describeInstance(ctx: Context, i: Instance): string {
  const exitHint = i.status.phase === 'Failed' ? ` (exit ${errorCatalogue.driver.exitCode} with --wait)` : '';
  let text = formatFields([
    ['name', i.name],
    ['team', i.teamName],
    ['product', `${i.product}@${i.productVersion}`],
    ['deprecated', deprecationText(i)],
    ['held', i.hold === undefined ? undefined : `${i.hold.reason} (by ${i.hold.heldBy} at ${i.hold.heldAt}; rollouts skip it; lift it with: paved unhold ${i.name})`],
    ['plan', i.plan],
    ['environment', i.environment],
    ['phase', phaseColor(ctx, i.status.phase) + exitHint],
    ['approval', describeApproval(i)],
    ['status', describeStatus(i).slice(i.name.length + 2)],
    ['inputs', JSON.stringify(i.inputs)],
    ['target', i.target],
    ['part of', i.parent === undefined ? undefined : `${i.parent.name} (part "${i.parent.part}"; manage it through ${i.parent.name})`],
    ['created', `${i.createdAt} by ${i.createdBy}`],
    ['ready at', i.status.readyAt],
    ['credentials', describeCredentials(i)],
    ['last error', i.status.lastError],
  ], ctx.colors);
  if (i.status.conditions.length > 0) {
    text += `\n${ctx.colors.bold('conditions')}\n` + formatTable(['TYPE', 'STATUS', 'REASON', 'MESSAGE'],
      i.status.conditions.map((c) => [c.type, c.status, c.reason, c.message]), ctx.colors);
  }
  if (i.parts !== undefined && i.parts.length > 0) {
    text += `\n${ctx.colors.bold('Parts:')}\n` + formatTable(['PART', 'INSTANCE', 'PRODUCT', 'PLAN', 'PHASE'],
      i.parts.map((p) => [p.part, p.name, `${p.product}@${p.productVersion}`, p.plan, phaseColor(ctx, p.phase)]), ctx.colors);
  }
  const outputs = Object.entries(i.outputs);
  if (outputs.length > 0) {
    text += `\n${ctx.colors.bold('outputs')} (secret ones: paved env ${i.name})\n` + outputs.map(([k, v]) => `  ${k}: ${v}\n`).join('');
  }
  return text;
}
