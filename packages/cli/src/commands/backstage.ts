import type { BackstageImportSummary } from '@paved/model';
import type { Command } from 'commander';
import type { CatalogRead } from '../backstage-catalog.js';
import { importCatalog } from '../backstage-import.js';
import type { Colors } from '../colors.js';
import { action, type Runner } from '../context.js';
import { yamlLib } from '../lazy-yaml.js';
import { formatTable } from '../output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The import summary for people: counts per kind, then every rename, skip, suggestion, dependency and note. */
export function formatImportSummary(summary: BackstageImportSummary, colors: Colors): string {
  const kinds = ['teams', 'users', 'memberships', 'services'] as const;
  const rows = kinds.map((k) => [k, String(summary.created[k].length), String(summary.updated[k].length), String(summary.unchanged[k].length)]);
  const head = summary.dryRun ? colors.yellow('Dry run: nothing was changed.\n') : '';
  const sections: string[] = [head + formatTable(['', summary.dryRun ? 'WOULD CREATE' : 'CREATED', summary.dryRun ? 'WOULD UPDATE' : 'UPDATED', 'UNCHANGED'], rows, colors)];
  const list = (title: string, lines: string[]) => {
    if (lines.length > 0) sections.push(`${colors.bold(title)}\n${lines.map((l) => `  ${l}\n`).join('')}`);
  };
  list('Renamed (Paved names are lowercase, "-" only):', summary.renamed.map((r) => `${r.entity}: ${r.from} → ${r.to}`));
  // Counted here, where the reader's skips and the server's (an API, an unknown owner) are one list.
  list(`Skipped (${summary.skipped.length.toLocaleString('en-US')}):`, summary.skipped.map((s) => `${s.entity}: ${s.reason}`));
  list('Owned by a user, imported into their team:', (summary.ownersMapped ?? []).map((o) => `${o.entity}: ${o.user} → team ${o.team}`));
  list('Could be requested as a product:', summary.suggestions.map((s) => `${s.entity}: paved create ${s.product} NAME --team ${s.team}`));
  list('Dependencies (reported, not stored):', summary.dependencies.map((d) => `${d.from} → ${d.to}`));
  list('Notes:', summary.notes.map((n) => `${n.entity}: ${n.message}`));
  return sections.join('\n');
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * What the reader found, before the import: its skips only ("while reading"), as the server's
 * are not known yet; the summary's Skipped list counts both.
 */
export function readingLine(catalog: Pick<CatalogRead, 'files' | 'locations' | 'entities' | 'skipped'>): string {
  return `Read ${count(catalog.files, 'file', 'files')} (${count(catalog.locations, 'location', 'locations')} followed): ${count(catalog.entities.length, 'entity', 'entities')}, ${catalog.skipped.length.toLocaleString('en-US')} skipped while reading.\n`;
}

export function registerBackstageCommands(program: Command, runner: Runner): void {
  const backstage = program.command('backstage').description('import from and export to a Backstage software catalog')
    .addHelpText('after', '\nExamples:\n  paved backstage import -f catalog-info.yaml -f org/ --dry-run\n  paved backstage export > catalog-paved.yaml\n\nDocs: docs/backstage.md');

  backstage
    .command('import')
    .description('import Group, User, Component and System entities into teams, users and services (platform admins), following Location entities; Resources are reported, never provisioned')
    .requiredOption('-f, --file <path>', 'a catalog file (multi-document YAML, a root Location such as all.yaml) or a folder; repeatable', collect, [])
    .option('--dry-run', 'show what would change and change nothing')
    .option('--follow-urls', 'also fetch Location targets that are http(s) URLs (by default they are reported and not fetched)')
    .addHelpText('after', '\nExamples:\n  paved backstage import -f catalog-info.yaml\n  paved backstage import -f acme-corp.yaml -f all-components.yaml\n  paved backstage import -f org.yaml -f services/ --dry-run -o json')
    .action(action(runner, async (ctx, opts: { file: string[]; dryRun?: boolean; followUrls?: boolean }) => {
      // The catalog reader brings two YAML parsers: loaded by this command only (bench/footprint.mjs).
      const { readBackstageCatalog } = await import('../backstage-catalog.js');
      const catalog = await readBackstageCatalog(opts.file, { followUrls: opts.followUrls ?? false });
      const client = await ctx.client();
      ctx.err(readingLine(catalog));
      const summary = await importCatalog(client, catalog.entities, {
        dryRun: opts.dryRun ?? false,
        onBatch: (p) => { if (p.batches > 1) ctx.err(`  ${opts.dryRun ? 'checked' : 'imported'} ${p.done.toLocaleString('en-US')}/${catalog.entities.length.toLocaleString('en-US')} (batch ${p.batch}/${p.batches})\n`); },
      });
      summary.skipped.unshift(...catalog.skipped);
      ctx.print(summary, () => formatImportSummary(summary, ctx.colors));
    }));

  backstage
    .command('export')
    .description('print your services and instances as Backstage entities (multi-document YAML, ready to register as a Backstage location)')
    .addHelpText('after', '\nExamples:\n  paved backstage export > catalog-paved.yaml\n  paved backstage export -o json')
    .action(action(runner, async (ctx) => {
      const exported = await (await ctx.client()).exportBackstage();
      if (ctx.output === 'json') return ctx.print(exported, () => '');
      // Table or yaml: the format Backstage reads, one document per entity.
      ctx.out(exported.entities.map((entity) => yamlLib().stringify(entity)).join('---\n'));
    }));
}
