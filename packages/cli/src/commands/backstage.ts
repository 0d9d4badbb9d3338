import { readFile } from 'node:fs/promises';
import { InputError, type BackstageImportSummary, type FieldIssue } from '@paved/model';
import type { Command } from 'commander';
import { yamlLib } from '../lazy-yaml.js';
import type { Colors } from '../colors.js';
import { action, type Runner } from '../context.js';
import { collectManifestPaths } from '../manifest-files.js';
import { formatTable } from '../output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Reads Backstage descriptor files (multi-document YAML) into entities. Every problem of every
 * file is reported at once, each naming `file:line`, and nothing is sent when there is one: a
 * syntax error, or a document that is not a Backstage entity (no `apiVersion: backstage.io/…`,
 * `kind` or `metadata.name`). What the server cannot map is skipped by it with a reason.
 */
export async function readBackstageFiles(paths: readonly string[]): Promise<Record<string, unknown>[]> {
  const entities: Record<string, unknown>[] = [];
  const issues: FieldIssue[] = [];
  for (const file of await collectManifestPaths(paths)) {
    const { LineCounter, parseAllDocuments } = yamlLib();
    const lineCounter = new LineCounter();
    const text = await readFile(file, 'utf8');
    const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
    if (!Array.isArray(documents)) continue; // only comments
    for (const document of documents) {
      for (const error of document.errors) {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        issues.push({ path: `${file}:${line}:${col}`, message: error.message.split('\n')[0]!.trim() });
      }
      if (document.errors.length > 0) continue;
      const value = document.toJS({ maxAliasCount: 100 }) as unknown;
      if (value === null || value === undefined) continue; // an empty document (trailing ---)
      const line = lineCounter.linePos(document.contents?.range[0] ?? 0).line;
      const problem = envelopeProblem(value);
      if (problem) issues.push({ path: `${file}:${line}`, message: problem });
      else entities.push(value as Record<string, unknown>);
    }
  }
  if (issues.length > 0) {
    throw new InputError(`nothing was imported: ${issues.length === 1 ? 'a document has a problem' : `${issues.length} problems`}\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, {
      code: 'backstage_file_invalid', issues,
    });
  }
  return entities;
}

function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) return 'is not a Backstage entity (a mapping with apiVersion, kind and metadata)';
  const entity = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof entity.apiVersion !== 'string' || !entity.apiVersion.startsWith('backstage.io/')) return 'apiVersion must be backstage.io/v1alpha1';
  if (typeof entity.kind !== 'string') return 'kind is required';
  if (typeof entity.metadata?.name !== 'string') return 'metadata.name is required';
  return undefined;
}

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
  list('Skipped:', summary.skipped.map((s) => `${s.entity}: ${s.reason}`));
  list('Could be requested as a product:', summary.suggestions.map((s) => `${s.entity}: paved create ${s.product} NAME --team ${s.team}`));
  list('Dependencies (reported, not stored):', summary.dependencies.map((d) => `${d.from} → ${d.to}`));
  list('Notes:', summary.notes.map((n) => `${n.entity}: ${n.message}`));
  return sections.join('\n');
}

export function registerBackstageCommands(program: Command, runner: Runner): void {
  const backstage = program.command('backstage').description('import from and export to a Backstage software catalog')
    .addHelpText('after', '\nExamples:\n  paved backstage import -f catalog-info.yaml -f org/ --dry-run\n  paved backstage export > catalog-paved.yaml\n\nDocs: docs/backstage.md');

  backstage
    .command('import')
    .description('import Group, User, Component and System entities into teams, users and services (platform admins); Resources are reported, never provisioned')
    .requiredOption('-f, --file <path>', 'a catalog-info.yaml (multi-document) or a folder of .yaml files; repeatable', collect, [])
    .option('--dry-run', 'show what would change and change nothing')
    .addHelpText('after', '\nExamples:\n  paved backstage import -f catalog-info.yaml\n  paved backstage import -f org.yaml -f services/ --dry-run -o json')
    .action(action(runner, async (ctx, opts: { file: string[]; dryRun?: boolean }) => {
      const entities = await readBackstageFiles(opts.file);
      const summary = await (await ctx.client()).importBackstage({ entities, ...(opts.dryRun ? { dryRun: true } : {}) });
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
