import { resolve } from 'node:path';
import { parseScoreText, UnavailableError, type TemplateFile, type WorkloadPlan } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatElapsed, parseTimeout } from '../duration.js';
import { formatTable } from '../output.js';
import { assertEmptyFolder, DEFAULT_PORT, renderScaffold, templateValues, writeScaffold } from '../scaffold.js';
import { waitUntilReady } from '../wait.js';

const collect = (value: string, previous: string[]) => [...previous, value];
export const DEFAULT_TEMPLATE = 'node-postgres';
const SCORE_FILE = 'score.yaml';

interface InitOptions {
  template: string;
  dir?: string;
  port: string;
  set: string[];
  description?: string;
  repositoryUrl?: string;
  apply?: boolean;
  env: string;
  timeout: string;
}

export function registerInitCommands(program: Command, runner: Runner): void {
  program
    .command('init')
    .description('start a new service from a golden-path template: write its folder, register it in the catalog, and with --apply provision its environment')
    .argument('<name>', 'service name (lowercase letters, digits, "-")')
    .option('--template <template>', 'template (see: paved templates)', DEFAULT_TEMPLATE)
    .option('--dir <path>', 'folder to create (must be new or empty; default ./NAME)')
    .option('--port <port>', 'port the service listens on', String(DEFAULT_PORT))
    .option('--set <key=value>', 'a template parameter; repeatable', collect, [])
    .option('--description <text>', 'one line for the catalog (default: the template\'s description parameter or title)')
    .option('--repository-url <url>', 'where the code will live, recorded in the catalog')
    .option('--apply', 'also apply the new score.yaml to --env and wait until its resources are Ready')
    .option('--env <environment>', 'environment for --apply', 'dev')
    .option('--timeout <duration>', 'how long --apply waits for Ready', '5m')
    .addHelpText('after', '\nExamples:\n  paved init shop --apply                      # node-postgres, team from your config\n  paved init counter --template node-redis --team web --port 3000\n  paved init shop --set description="Sells paving stones" --dir ~/src/shop')
    .action(action(runner, init));

  program
    .command('templates')
    .description('list the golden-path templates paved init can start a service from')
    .addHelpText('after', '\nExample:\n  paved templates -o json')
    .action(action(runner, async (ctx) => {
      const templates = await (await ctx.client()).listTemplates();
      ctx.print(templates, () => templates.length === 0
        ? 'No templates: ask your platform team to add one (docs/golden-paths.md).\n'
        : formatTable(['NAME', 'TITLE', 'RESOURCES'], templates.map((t) => [t.name, t.title, t.resources.join(', ') || '-']), ctx.colors));
    }));
}

async function init(ctx: Context, name: string, opts: InitOptions): Promise<number | void> {
  const timeoutMs = parseTimeout(opts.timeout);
  const dir = resolve(opts.dir ?? name);
  // Everything that can be checked locally is, before anything changes on the server.
  await assertEmptyFolder(dir);
  const team = await ctx.team();
  const client = await ctx.client();
  const template = await client.getTemplate(opts.template);
  const sets = withDescription(opts, template.parameters.some((p) => p.name === 'description'));
  const values = templateValues(template, { service: name, team, port: Number(opts.port), sets });
  const files = renderScaffold(template, values);
  const score = files.find((file) => file.path === SCORE_FILE);

  const service = await client.createService(team, {
    name,
    description: opts.description ?? values.description ?? `${template.summary.title} (from the ${template.summary.name} template)`,
    lifecycle: 'experimental',
    ...(opts.repositoryUrl ? { repositoryUrl: opts.repositoryUrl } : {}),
  });
  await writeScaffold(dir, files);
  ctx.err(`Created ${dir} from template ${template.summary.name} (${files.length} files) and registered service ${service.name} for team ${team}.\n`);

  let plan: WorkloadPlan | undefined;
  if (opts.apply) {
    if (!score) throw new UnavailableError(`template ${template.summary.name} has no ${SCORE_FILE}; nothing to apply`, { code: 'template_invalid' });
    const outcome = await applyAndWait(ctx, { team, service: name, env: opts.env, score, dir, timeout: { ms: timeoutMs, text: opts.timeout } });
    if (typeof outcome === 'number') return outcome;
    plan = outcome;
  }
  ctx.print({ service, directory: dir, files: files.map((f) => f.path), ...(plan ? { plan } : {}) }, () => nextSteps(dir, opts.env, plan !== undefined));
}

/** `--description` also fills the template's `description` parameter unless --set gives it. */
function withDescription(opts: InitOptions, declared: boolean): string[] {
  const explicit = opts.set.some((pair) => pair.startsWith('description='));
  return declared && opts.description !== undefined && !explicit ? [...opts.set, `description=${opts.description}`] : opts.set;
}

interface ApplyTarget { team: string; service: string; env: string; score: TemplateFile; dir: string; timeout: { ms: number; text: string } }

async function applyAndWait(ctx: Context, target: ApplyTarget): Promise<WorkloadPlan | number> {
  const client = await ctx.client();
  const started = Date.now();
  // Parsed here, as `paved apply` would, so a problem names score.yaml's line in the new folder.
  const { workload } = parseScoreText(target.score.content, `${target.dir}/${SCORE_FILE}`);
  const plan = await client.applyWorkload(target.team, target.service, target.env, { score: workload as unknown as Record<string, unknown> });
  for (const change of plan.changes) ctx.err(`  ${change.action} ${change.instance} (${change.product}, plan ${change.plan})\n`);
  const pending = plan.changes.filter((change) => change.action === 'create' || change.action === 'update');
  for (const change of pending) {
    const ready = await waitUntilReady(ctx, target.team, change.instance, target.timeout);
    if (typeof ready === 'number') return ready;
    ctx.err(`${ctx.colors.green('✔')} ${change.instance} is Ready\n`);
  }
  ctx.err(`Environment ${target.env} is ready (took ${formatElapsed(Date.now() - started)}).\n`);
  return plan;
}

function nextSteps(dir: string, env: string, applied: boolean): string {
  const steps = [`cd ${dir}`, 'npm install'];
  if (!applied) steps.push(`paved apply -f ${SCORE_FILE} --env ${env}`);
  steps.push(`paved run -f ${SCORE_FILE} --env ${env} -- npm start`);
  return `Next steps:\n${steps.map((step) => `  ${step}\n`).join('')}`;
}
