import { readFile } from 'node:fs/promises';
import {
  InputError, checkPlaceholders, parseScoreText, renderVariables, scoreError, SCORE_API_VERSION,
  type ParsedScore, type ResourceOutputs, type WorkloadPlan,
} from '@paved/model';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { action, type Context, type Runner } from '../context.js';
import { ENV_FORMATS, formatEnv, type EnvFormat } from '../env-format.js';
import { formatTable } from '../output.js';
import { waitUntilReady } from '../wait.js';
import { parseTimeout } from '../duration.js';

/** True when the file is a Score workload (apiVersion score.dev/…), which `paved apply` sends to the workload path. */
export async function isScoreFile(path: string): Promise<boolean> {
  try {
    const text = await readFile(path, 'utf8');
    return /^apiVersion:\s*["']?score\.dev\//m.test(text) || (parseYaml(text) as { apiVersion?: string } | null)?.apiVersion === SCORE_API_VERSION;
  } catch {
    return false;
  }
}

/** Reads and checks a score.yaml locally, so its errors name file:line:column. */
export async function loadScore(path: string): Promise<ParsedScore> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(`${path} does not exist`, { code: 'file_not_found', issues: [{ path: '-f', message: `${path} does not exist` }] });
  }
  return parseScoreText(text, path);
}

function requireEnv(env: string | undefined): string {
  if (env) return env;
  throw new InputError('a Score file needs --env (the environment to apply it to, e.g. --env dev)', { code: 'env_required', issues: [{ path: '--env', message: 'is required for Score files' }] });
}

/** Checks types and placeholders against the server's products, naming the line of each problem. */
async function checkAgainstProducts(ctx: Context, parsed: ParsedScore): Promise<void> {
  const client = await ctx.client();
  const products = new Set((await client.listProducts({ limit: 100 })).items.map((p) => p.name));
  const outputs: ResourceOutputs = {};
  const problems = [];
  for (const [name, resource] of Object.entries(parsed.workload.resources ?? {})) {
    if (!products.has(resource.type)) {
      problems.push({ path: ['resources', name, 'type'], message: `no product "${resource.type}" (available: ${[...products].sort().join(', ') || 'none'})` });
      continue;
    }
    outputs[name] = { type: resource.type, outputs: Object.keys((await client.getProduct(resource.type)).manifest.spec.outputs) };
  }
  problems.push(...checkPlaceholders(parsed.workload, outputs));
  if (problems.length > 0) throw scoreError(problems, parsed.locate, parsed.file);
}

/** How long `paved apply -f score.yaml --wait` waits for each instance by default. */
export const DEFAULT_APPLY_TIMEOUT = '10m';

interface WorkloadOptions {
  file: string;
  env?: string;
  service?: string;
  wait?: boolean;
  timeout?: string;
}

/** `paved apply -f score.yaml --env E` and `paved plan`: send the checked file, print the changes. */
export async function applyScoreFile(ctx: Context, opts: WorkloadOptions, dryRun: boolean): Promise<number> {
  const env = requireEnv(opts.env);
  const timeout = { ms: parseTimeout(opts.timeout ?? DEFAULT_APPLY_TIMEOUT), text: opts.timeout ?? DEFAULT_APPLY_TIMEOUT };
  const parsed = await loadScore(opts.file);
  await checkAgainstProducts(ctx, parsed);
  const team = await ctx.team();
  const client = await ctx.client();
  const service = opts.service ?? parsed.workload.metadata.name;
  const plan = await client.applyWorkload(team, service, env, { score: parsed.workload as unknown as Record<string, unknown>, dryRun });
  ctx.print(plan, () => formatPlan(ctx, plan));
  if (!dryRun && opts.wait) {
    for (const change of plan.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'unchanged')) {
      const ready = await waitUntilReady(ctx, team, change.instance, timeout);
      if (typeof ready === 'number') return ready;
    }
  }
  return 0;
}

const SIGN: Record<string, string> = { create: '+', update: '~', delete: '-', unchanged: '=' };

export function formatPlan(ctx: Context, plan: WorkloadPlan): string {
  const header = `${plan.applied ? 'Applied' : 'Plan for'} ${plan.team}/${plan.service} in ${plan.environment}:\n`;
  const rows = plan.changes.map((c) => [SIGN[c.action] ?? '?', c.action, c.resource, c.instance, c.product, c.plan, c.details.join('; ')]);
  const table = rows.length === 0 ? 'no resources\n' : formatTable(['', 'ACTION', 'RESOURCE', 'INSTANCE', 'PRODUCT', 'PLAN', 'DETAILS'], rows, ctx.colors);
  const changed = plan.changes.filter((c) => c.action !== 'unchanged').length;
  const summary = changed === 0 ? 'No changes.\n' : `${changed} change(s)${plan.applied ? ' requested' : ''}.\n`;
  const notes = (plan.notes ?? []).map((n) => `note: ${n}\n`).join('');
  return header + table + summary + notes;
}

/**
 * The rendered variables of a Score file in an environment: reveals the credentials of the
 * service's instances there (audited) and fills in every placeholder. One container: its
 * variables; several: --container picks one.
 */
export async function scoreVariables(ctx: Context, opts: { file: string; env?: string; service?: string; container?: string }): Promise<{ vars: Record<string, string>; service: string; env: string; secrets: string[] }> {
  const env = requireEnv(opts.env);
  const parsed = await loadScore(opts.file);
  // A file that cannot apply cannot render either: say where it is wrong (file:line), not that
  // the service or an instance is missing or that a placeholder has no value.
  await checkAgainstProducts(ctx, parsed);
  const { workload } = parsed;
  const containers = Object.keys(workload.containers);
  if (opts.container === undefined && containers.length > 1) {
    throw new InputError(`the Score file has ${containers.length} containers (${containers.join(', ')}); choose one with --container`, { code: 'container_required', issues: [{ path: '--container', message: 'is required' }] });
  }
  const team = await ctx.team();
  const client = await ctx.client();
  const service = opts.service ?? workload.metadata.name;
  const instances = (await client.listWorkloadInstances(team, service, env)).items;
  const values: Record<string, Record<string, string>> = {};
  // Revealed values that are not the instance's public outputs: masked in shipped log lines.
  const secrets: string[] = [];
  for (const [name, resource] of Object.entries(workload.resources ?? {})) {
    const key = resource.id ?? name;
    const instance = instances.find((i) => i.workload?.resource === key && !i.deletionRequested);
    if (!instance) throw new InputError(`resource "${name}" has no instance in ${env} yet; run: paved apply -f ${opts.file} --env ${env}`, { code: 'workload_not_applied', issues: [{ path: `resources.${name}`, message: 'not applied' }] });
    values[name] = (await client.revealCredentials(team, instance.name)).values;
    for (const [key, value] of Object.entries(values[name]!)) if (instance.outputs[key] !== value) secrets.push(value);
  }
  try {
    return { vars: renderVariables(workload, values, opts.container === undefined ? undefined : [opts.container]), service, env, secrets };
  } catch (error) {
    throw new InputError((error as Error).message, { code: 'score_render_failed', issues: [{ path: 'containers', message: (error as Error).message }] });
  }
}

export function registerWorkloadCommands(program: Command, runner: Runner): void {
  program
    .command('plan')
    .description('show what applying a Score file to an environment would change (+ create, ~ update, - delete, = unchanged); changes nothing')
    .requiredOption('-f, --file <path>', 'the Score workload file (score.yaml)')
    .option('--env <environment>', 'the environment (dev, staging, prod, …)')
    .option('--service <name>', 'the service (default: metadata.name of the file)')
    .addHelpText('after', '\nExamples:\n  paved plan -f score.yaml --env dev')
    .action(action(runner, (ctx, opts: WorkloadOptions) => applyScoreFile(ctx, opts, true)));

  const score = program.command('score').description('Score workload files');
  score
    .command('render')
    .description("print a Score file's container variables with every placeholder filled in (reveals credentials; audited)")
    .requiredOption('-f, --file <path>', 'the Score workload file')
    .option('--env <environment>', 'the environment')
    .option('--service <name>', 'the service (default: metadata.name)')
    .option('--container <name>', 'the container (needed when the file has several)')
    .addOption(new Option('--format <format>', 'output format').choices(ENV_FORMATS as string[]).default('dotenv'))
    .addHelpText('after', '\nExamples:\n  paved score render -f score.yaml --env dev > .env')
    .action(action(runner, async (ctx, opts: { file: string; env?: string; service?: string; container?: string; format: EnvFormat }) => {
      ctx.out(formatEnv((await scoreVariables(ctx, opts)).vars, opts.format));
    }));
}
