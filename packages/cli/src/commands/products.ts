import type { ProductManifest, ProductSummary } from '@paved/model';
import type { Command } from 'commander';
import type { Colors } from '../colors.js';
import { action, type Runner } from '../context.js';
import { formatFields, formatTable } from '../output.js';
import { allPages } from './teams.js';
import { describeOutlook, productOutlook, registerProductEvolutionCommands } from './product-evolution.js';

export function registerProductCommands(program: Command, runner: Runner): void {
  const products = program.command('products').description('browse the product catalogue')
    .addHelpText('after', '\nExamples:\n  paved products\n  paved products show postgres\n  paved products show postgres --version 1.2.0 -o yaml\n  paved products diff postgres 1.2.0 2.0.0');

  products
    .command('list', { isDefault: true })
    .description('list published products')
    .action(action(runner, async (ctx) => {
      const client = await ctx.client();
      const items = await allPages((cursor) => client.listProducts({ cursor }));
      ctx.print(items, () => items.length === 0 ? 'No products published yet. Publish one with: paved apply -f product.yaml\n' : productTable(items, ctx.colors));
    }));

  products
    .command('show')
    .description('show a product: owner, lifecycle, versions, plans, inputs and outputs; deprecations, changelog, roadmap and requests')
    .argument('<name>', 'product name')
    .option('--version <version>', 'a published version (default: the latest)')
    .addHelpText('after', '\nExample:\n  paved products show postgres --version 1.2.0')
    .action(action(runner, async (ctx, name: string, opts: { version?: string }) => {
      const client = await ctx.client();
      if (opts.version) {
        const version = await client.getProductVersion(name, opts.version);
        ctx.print(version, () => describeProduct(version.manifest, [version.version], ctx.colors));
      } else {
        const [detail, outlook] = await Promise.all([client.getProduct(name), productOutlook(client, name)]);
        ctx.print({ ...detail, ...outlook }, () => describeProduct(detail.manifest, detail.versions, ctx.colors, detail.owner) + describeOutlook(name, outlook, ctx.colors));
      }
    }));

  products
    .command('instances')
    .description("the health of a product's instances across teams (its owner platform team, platform admins)")
    .argument('<name>', 'product name')
    .addHelpText('after', '\nExample:\n  paved products instances postgres')
    .action(action(runner, async (ctx, name: string) => {
      const client = await ctx.client();
      const items = await allPages((cursor) => client.listProductInstances(name, { cursor }));
      ctx.print(items, () => items.length === 0
        ? `No instances of ${name} yet.\n`
        : formatTable(['TEAM', 'NAME', 'VERSION', 'PLAN', 'PHASE', 'MESSAGE'], items.map((i) => [i.team, i.name, i.version, i.plan, i.phase, i.message ?? '']), ctx.colors));
    }));

  registerProductEvolutionCommands(products, runner);

  products
    .command('transfer')
    .description('move a product to another platform team (platform admins); its next version must name that team as owner')
    .argument('<name>', 'product name')
    .requiredOption('--to <team>', 'the new owner team (a platform team)')
    .addHelpText('after', '\nExample:\n  paved products transfer postgres --to data-platform')
    .action(action(runner, async (ctx, name: string, opts: { to: string }) => {
      const detail = await (await ctx.client()).transferProduct(name, opts.to);
      ctx.print(detail, () => `${detail.name} is now owned by ${detail.owner}; its next version must say metadata.owner: ${detail.owner}.\n`);
    }));
}

function productTable(items: ProductSummary[], colors: Colors): string {
  return formatTable(
    ['NAME', 'VERSION', 'LIFECYCLE', 'OWNER', 'PLANS', 'DEPRECATED', 'DESCRIPTION'],
    items.map((p) => [p.name, p.latestVersion, p.lifecycle, p.owner, p.plans.join(','), deprecatedText(p), p.description]),
    colors,
  );
}

/** What of a product is deprecated, each with its date: `product (DATE)`, `VERSION (DATE)`, or `-`. */
function deprecatedText(p: ProductSummary): string {
  const parts = [
    ...(p.deprecation === undefined ? [] : [`product (${p.deprecation.date})`]),
    ...(p.deprecatedVersions ?? []).map((v) => `${v.version} (${v.date})`),
  ];
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** One line per input property: name, type, default, allowed values. */
export function summarizeInputs(schema: Record<string, unknown>): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([name, prop]) => {
    const parts = [typeof prop.type === 'string' ? prop.type : Array.isArray(prop.enum) ? 'enum' : 'any'];
    const items = prop.items as Record<string, unknown> | undefined;
    if (prop.type === 'array' && items && Array.isArray(items.enum)) parts[0] = `array of ${items.enum.join('|')}`;
    if (Array.isArray(prop.enum)) parts.push(`one of ${prop.enum.join('|')}`);
    if (required.has(name)) parts.push('required');
    if (prop.default !== undefined) parts.push(`default ${JSON.stringify(prop.default)}`);
    const description = typeof prop.description === 'string' ? ` — ${prop.description}` : '';
    return `${name}: ${parts.join(', ')}${description}`;
  });
}

export function describeProduct(manifest: ProductManifest, versions: string[], colors: Colors, owner = manifest.metadata.owner): string {
  const { metadata, spec } = manifest;
  const support = [spec.support?.channel, spec.support?.url].filter(Boolean).join(' ');
  let text = formatFields([
    ['name', metadata.name],
    ['title', metadata.title],
    ['owner', owner],
    ['lifecycle', metadata.lifecycle],
    ['version', spec.version],
    ['versions', versions.join(', ')],
    ['driver', spec.driver],
    ['description', spec.description],
    ['docs', spec.docs],
    ['support', support],
    ['time to ready', spec.slo?.timeToReady?.p95 ? `p95 ${spec.slo.timeToReady.p95}` : undefined],
  ], colors);
  const plans = Object.entries(spec.plans).map(([name, plan]) => [
    plan.default ? `${name} (default)` : name,
    plan.quota?.perTeam === undefined ? '-' : `${plan.quota.perTeam} per team`,
    plan.values && Object.keys(plan.values).length > 0 ? JSON.stringify(plan.values) : '-',
    plan.description ?? '',
  ]);
  text += `\n${colors.bold('plans')}\n` + formatTable(['PLAN', 'QUOTA', 'VALUES', 'DESCRIPTION'], plans, colors);
  const inputs = summarizeInputs(spec.inputs);
  text += `\n${colors.bold('inputs')} (paved create ${metadata.name} NAME --set key=value)\n`;
  text += inputs.length === 0 ? '  none\n' : inputs.map((line) => `  ${line}\n`).join('');
  text += `\n${colors.bold('outputs')} (secret ones: paved env NAME)\n`;
  text += Object.entries(spec.outputs).map(([name, out]) => `  ${name}${out.secret ? colors.yellow(' (secret)') : ''}${out.description ? ` — ${out.description}` : ''}\n`).join('');
  return text;
}
