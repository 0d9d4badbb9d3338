import { InputError, ROADMAP_STATUSES, type ChangelogEntry, type Deprecation, type Instance, type ProductRequest, type RoadmapItem, type RoadmapStatus, type VersionDiff } from '@paved/model';
import type { PavedClient } from '@paved/client';
import { Option, type Command } from 'commander';
import type { Colors } from '../colors.js';
import { action, type Context, type Runner } from '../context.js';
import { formatTable } from '../output.js';

/**
 * The commands `paved products diff`, `deprecate`, `undeprecate`, `roadmap`, `request` and
 * `vote` (docs/product-versions.md), and how deprecations, changelog, roadmap and requests read
 * in `paved products show`, `paved get` and `paved list`.
 */
export function registerProductEvolutionCommands(products: Command, runner: Runner): void {
  products
    .command('diff')
    .description('compare two versions of a product: breaking and non-breaking changes')
    .argument('<name>', 'product name')
    .argument('<from>', 'the older version')
    .argument('<to>', 'the newer version')
    .addHelpText('after', '\nExample:\n  paved products diff postgres 1.2.0 2.0.0')
    .action(action(runner, async (ctx, name: string, from: string, to: string) => {
      const diff = await (await ctx.client()).diffProductVersions(name, from, to);
      ctx.print(diff, () => describeDiff(diff, ctx.colors));
    }));

  products
    .command('deprecate')
    .description('deprecate a product, or one version, with a date and a reason (its owner platform team, platform admins); after the date it takes no new instances')
    .argument('<name>', 'product name')
    .option('--version <version>', 'one version (default: the whole product)')
    .requiredOption('--date <date>', 'YYYY-MM-DD (UTC): the last day new instances may be created')
    .requiredOption('--reason <reason>', 'why, and what to do instead')
    .addHelpText('after', '\nExamples:\n  paved products deprecate postgres --version 1.2.0 --date 2026-06-30 --reason "TLS 1.0 ends; use 1.3"\n  paved products deprecate legacy-queue --date 2026-12-31 --reason "Use rabbitmq"')
    .action(action(runner, async (ctx, name: string, opts: { version?: string; date: string; reason: string }) => {
      const deprecation = await (await ctx.client()).deprecateProduct(name, { date: opts.date, reason: opts.reason }, opts.version);
      ctx.print(deprecation, () => `${subject(deprecation)} is deprecated: new instances are refused after ${deprecation.date}. Teams on it see it in paved list and paved get.\n`);
    }));

  products
    .command('undeprecate')
    .description('withdraw a deprecation of a product or of one version (its owner platform team, platform admins)')
    .argument('<name>', 'product name')
    .option('--version <version>', 'one version (default: the whole product)')
    .addHelpText('after', '\nExample:\n  paved products undeprecate postgres --version 1.2.0')
    .action(action(runner, async (ctx, name: string, opts: { version?: string }) => {
      await (await ctx.client()).undeprecateProduct(name, opts.version);
      const what = opts.version === undefined ? name : `${name} ${opts.version}`;
      ctx.print({ product: name, ...(opts.version === undefined ? {} : { version: opts.version }), deprecated: false }, () => `${what} is no longer deprecated.\n`);
    }));

  products
    .command('roadmap')
    .description("show a product's roadmap, or change it (its owner platform team, platform admins): add TITLE, set ID, remove ID")
    .argument('<name>', 'product name')
    .argument('[action]', 'add, set or remove (none: show the roadmap)')
    .argument('[what]', 'add: the title; set, remove: the item id')
    .addOption(new Option('--status <status>', 'planned, in-progress or shipped').choices([...ROADMAP_STATUSES]))
    .option('--target <version>', 'the version it is planned for')
    .option('--no-target', 'set: clear the target version')
    .option('--title <title>', 'set: a new title')
    .addHelpText('after', [
      '\nExamples:',
      '  paved products roadmap postgres',
      '  paved products roadmap postgres add "Point-in-time recovery" --target 1.4.0',
      '  paved products roadmap postgres set 3 --status in-progress',
      '  paved products roadmap postgres remove 3',
    ].join('\n'))
    .action(action(runner, async (ctx, name: string, verb: string | undefined, what: string | undefined, opts: RoadmapOptions) => roadmap(ctx, name, verb, what, opts)));

  products
    .command('request')
    .description('ask the owner team of a product for something; others vote on it (members and owners of any team)')
    .argument('<name>', 'product name')
    .argument('<text>', 'what you need')
    .addHelpText('after', '\nExample:\n  paved products request postgres "PostgreSQL 17"')
    .action(action(runner, async (ctx, name: string, text: string) => {
      const request = await (await ctx.client()).addProductRequest(name, text);
      ctx.print(request, () => `Asked ${name} for "${request.text}" (request ${request.id}). Others vote with: paved products vote ${name} ${request.id}\n`);
    }));

  products
    .command('vote')
    .description('vote for a request made of a product, once per person (members and owners of any team)')
    .argument('<name>', 'product name')
    .argument('<id>', 'the request id (paved products show NAME lists them)')
    .addHelpText('after', '\nExample:\n  paved products vote postgres 4')
    .action(action(runner, async (ctx, name: string, id: string) => {
      const request = await (await ctx.client()).voteProductRequest(name, idOf(id, 'id'));
      ctx.print(request, () => `Voted for "${request.text}": ${request.votes} vote${request.votes === 1 ? '' : 's'}.\n`);
    }));
}

interface RoadmapOptions { status?: RoadmapStatus; target?: string | false; title?: string }

async function roadmap(ctx: Context, name: string, verb: string | undefined, what: string | undefined, opts: RoadmapOptions) {
  const client = await ctx.client();
  if (verb === undefined) {
    const { items } = await client.getProductRoadmap(name);
    ctx.print(items, () => items.length === 0 ? `${name} has no roadmap yet.\n` : roadmapTable(items, ctx.colors));
    return;
  }
  if (what === undefined) throw new InputError(`paved products roadmap ${name} ${verb}: say ${verb === 'add' ? 'the title' : 'the item id'}`, { issues: [{ path: 'what', message: 'missing' }] });
  const target = typeof opts.target === 'string' ? { targetVersion: opts.target } : {};
  if (verb === 'add') {
    const item = await client.addRoadmapItem(name, { title: what, ...(opts.status ? { status: opts.status } : {}), ...target });
    ctx.print(item, () => `Added roadmap item ${item.id} to ${name}: ${item.title} (${item.status}).\n`);
  } else if (verb === 'set') {
    const change = {
      ...(opts.title === undefined ? {} : { title: opts.title }),
      ...(opts.status ? { status: opts.status } : {}),
      ...(opts.target === false ? { targetVersion: null } : target),
    };
    if (Object.keys(change).length === 0) throw new InputError('paved products roadmap set: give --status, --target, --no-target or --title', { issues: [{ path: 'status', message: 'nothing to change' }] });
    const item = await client.changeRoadmapItem(name, idOf(what, 'what'), change);
    ctx.print(item, () => `Roadmap item ${item.id} of ${name}: ${item.title} (${item.status}${item.targetVersion ? `, for ${item.targetVersion}` : ''}).\n`);
  } else if (verb === 'remove') {
    const id = idOf(what, 'what');
    await client.removeRoadmapItem(name, id);
    ctx.print({ product: name, id, removed: true }, () => `Removed roadmap item ${id} from ${name}.\n`);
  } else {
    throw new InputError(`paved products roadmap: "${verb}" is not add, set or remove`, { issues: [{ path: 'action', message: 'must be add, set or remove' }] });
  }
}

function idOf(value: string, path: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw new InputError(`${path}: "${value}" is not an id (a whole number from paved products show)`, { issues: [{ path, message: 'must be a whole number' }] });
  return Number(value);
}

function subject(d: { product: string; version?: string }): string {
  return d.version === undefined ? d.product : `${d.product} ${d.version}`;
}

export function describeDiff(diff: VersionDiff, colors: Colors): string {
  const lines = [`${diff.product} ${diff.from} → ${diff.to}`];
  if (diff.breaking.length === 0 && diff.nonBreaking.length === 0) return `${lines[0]}: no changes to its contract.\n`;
  if (diff.breaking.length > 0) {
    lines.push(colors.red(`breaking (${diff.breaking.length}): needs a new major version`));
    lines.push(...diff.breaking.map((c) => `  ${c.path}: ${c.message}`));
  } else {
    lines.push(colors.green('no breaking changes'));
  }
  if (diff.nonBreaking.length > 0) {
    lines.push(`non-breaking (${diff.nonBreaking.length})`);
    lines.push(...diff.nonBreaking.map((c) => `  ${c.path}: ${c.message}`));
  }
  return `${lines.join('\n')}\n`;
}

function roadmapTable(items: RoadmapItem[], colors: Colors): string {
  return formatTable(['ID', 'STATUS', 'TARGET', 'TITLE'], items.map((i) => [String(i.id), i.status, i.targetVersion ?? '-', i.title]), colors);
}

/** What `paved products show` adds: deprecations, changelog, roadmap and requests. */
export interface ProductOutlook {
  deprecations: Deprecation[];
  changelog: ChangelogEntry[];
  roadmap: RoadmapItem[];
  requests: ProductRequest[];
}

export async function productOutlook(client: PavedClient, name: string): Promise<ProductOutlook> {
  const [deprecations, changelog, roadmapItems, requests] = await Promise.all([
    client.listProductDeprecations(name), client.getProductChangelog(name), client.getProductRoadmap(name), client.listProductRequests(name),
  ]);
  return { deprecations: deprecations.items, changelog: changelog.items, roadmap: roadmapItems.items, requests: requests.items };
}

export function describeOutlook(name: string, outlook: ProductOutlook, colors: Colors): string {
  let text = '';
  if (outlook.deprecations.length > 0) {
    text += `\n${colors.bold('deprecated')}\n` + outlook.deprecations.map((d) => `  ${colors.yellow(subject(d))}: new instances refused after ${d.date} — ${d.reason}\n`).join('');
  }
  const entries = outlook.changelog.filter((e) => e.changelog !== undefined);
  if (entries.length > 0) {
    text += `\n${colors.bold('changelog')}\n` + entries.map((e) => `  ${e.version} (${e.publishedAt.slice(0, 10)})\n${indent(e.changelog!, '    ')}`).join('');
  }
  text += `\n${colors.bold('roadmap')}\n` + (outlook.roadmap.length === 0 ? '  none yet\n' : roadmapTable(outlook.roadmap, colors));
  text += `\n${colors.bold('requests')} (ask: paved products request ${name} "…"; vote: paved products vote ${name} ID)\n`;
  text += outlook.requests.length === 0
    ? '  none yet\n'
    : formatTable(['ID', 'VOTES', 'BY', 'REQUEST'], outlook.requests.map((r) => [String(r.id), String(r.votes), r.author, r.text]), colors);
  return text;
}

function indent(text: string, prefix: string): string {
  return text.trimEnd().split('\n').map((line) => `${prefix}${line}\n`).join('');
}

/** One line for an instance on a deprecated version: what, until when, why, and the way out. */
export function deprecationText(i: Instance): string | undefined {
  const d = i.deprecation;
  if (d === undefined) return undefined;
  const what = d.version === undefined ? i.product : `${i.product} ${d.version}`;
  const when = d.pastDate ? `since ${d.date} no new instances of it` : `new instances refused after ${d.date}`;
  const way = d.upgradeCommand === undefined ? `ask the ${i.product} owner team what replaces it` : `upgrade: ${d.upgradeCommand}`;
  return `${what} is deprecated (${when}): ${d.reason}; ${way}`;
}

/** Warnings for deprecated instances of a listing, to stderr (they never mix with the table or -o json). */
export function warnDeprecated(ctx: Context, items: readonly Instance[]): void {
  for (const i of items) {
    const text = deprecationText(i);
    if (text !== undefined) ctx.err(`${ctx.colors.yellow('warning:')} ${i.teamName}/${i.name}: ${text}\n`);
  }
}
