import { formatDecisions } from './policies.js';
import { readFile } from 'node:fs/promises';
import {
  InputError, isPavedError, parseScoreText, renderVariables, RESOLVED_VALUE, resourceRefs, scoreError, SCORE_API_VERSION, WAITING_FOR_VALUE,
  type Instance, type ParsedScore, type ResourceValues, type WorkloadPlan,
} from '@paved/model';
import { Option, type Command } from 'commander';
import { yamlLib } from '../lazy-yaml.js';
import { action, type Context, type Runner } from '../context.js';
import { ENV_FORMATS, formatEnv, type EnvFormat } from '../env-format.js';
import { formatTable } from '../output.js';
import { waitUntilReady } from '../wait.js';
import { parseTimeout } from '../duration.js';
import { registerConfigCommands } from './config.js';

/** True when the file is a Score workload (apiVersion score.dev/…), which `paved apply` sends to the workload path. */
export async function isScoreFile(path: string): Promise<boolean> {
  try {
    const text = await readFile(path, 'utf8');
    return /^apiVersion:\s*["']?score\.dev\//m.test(text) || (yamlLib().parse(text) as { apiVersion?: string } | null)?.apiVersion === SCORE_API_VERSION;
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

/**
 * The command that applies this file as the user asked for it: the --service and --team they
 * gave are kept, so that the command a message suggests is the one that works.
 */
export function applyCommand(ctx: Context, opts: { file: string; env: string; service?: string | undefined }): string {
  const parts = ['paved apply -f', opts.file, '--env', opts.env];
  if (opts.service !== undefined) parts.push('--service', opts.service);
  if (ctx.options.team !== undefined) parts.push('--team', ctx.options.team);
  return parts.join(' ');
}

/**
 * Plans (or applies) the file on the server, which knows the products, the environment and
 * the other workloads. A file it refuses comes back with every problem's path: said here as
 * file:line:column, as the local checks say theirs.
 */
async function sendWorkload(ctx: Context, parsed: ParsedScore, team: string, service: string, env: string, dryRun: boolean): Promise<WorkloadPlan> {
  const client = await ctx.client();
  try {
    return await client.applyWorkload(team, service, env, { score: parsed.workload as unknown as Record<string, unknown>, dryRun });
  } catch (error) {
    if (!(error instanceof InputError) || (error.code !== 'workload_invalid' && error.code !== 'score_invalid') || error.issues.length === 0) throw error;
    const problems = error.issues.map((issue) => ({ path: issue.path === '(file)' ? [] : parsed.segments(issue.path), message: issue.message }));
    throw scoreError(problems, parsed.locate, parsed.file, error.code === 'score_invalid' ? 'score_invalid' : 'workload_invalid');
  }
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
  const team = await ctx.team();
  const service = opts.service ?? parsed.workload.metadata.name;
  const plan = await sendWorkload(ctx, parsed, team, service, env, dryRun);
  ctx.print(plan, () => formatPlan(ctx, plan));
  if (!dryRun && opts.wait) {
    const client = await ctx.client();
    for (const change of plan.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'unchanged')) {
      // One that waits for another workload (a service-port naming one not applied yet) is
      // Ready when that one is applied: waiting here would only run into the timeout.
      const current = await client.getInstance(team, change.instance);
      // Held for approval: waiting would only run into the timeout; the approvers decide when they do.
      if (current.status.phase === 'AwaitingApproval') {
        ctx.err(`note: ${change.instance} waits for approval by team ${current.status.approval?.approvers ?? '?'}; not waited for\n`);
        continue;
      }
      const waitingFor = current.inputs[WAITING_FOR_VALUE];
      if (typeof waitingFor === 'string') {
        ctx.err(`note: ${change.instance} waits for ${waitingFor}; not waited for\n`);
        continue;
      }
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
  // Every policy decision and quota of each create or update, before anything is written.
  const judged = plan.changes.filter((c) => c.policies !== undefined || c.quotas !== undefined)
    .map((c) => `${c.instance}: ${c.outcome === 'denied' ? 'refused' : c.outcome === 'awaitingApproval' ? 'waits for approval' : 'allowed'}\n${formatDecisions(c.policies ?? [], c.quotas ?? [])}`).join('');
  return header + table + summary + (judged ? `Policies:\n${judged}` : '') + notes;
}

/** A Score file with the values of its resources in an environment, ready to render. */
export interface RenderedWorkload {
  parsed: ParsedScore;
  team: string;
  service: string;
  env: string;
  /** The container whose variables and files are rendered (the only one, or --container). */
  container: string;
  values: ResourceValues;
  /** The instances the workload uses there (its routes among them). */
  instances: Instance[];
  /** The revealed values that are not public outputs (passwords…): `paved run` masks them in shipped lines. */
  secrets: string[];
}

/**
 * A Score file's resources with their values in an environment, for `paved score render` and
 * `paved run`. The server plans the file first (a dry run): a file it refuses is said where it
 * is wrong (file:line), a file never applied there is told to apply, and one that differs from
 * what is applied gets a warning. Secret outputs are revealed (audited) only when a
 * placeholder needs them.
 */
export async function renderWorkload(ctx: Context, opts: { file: string; env?: string; service?: string; container?: string }): Promise<RenderedWorkload> {
  const env = requireEnv(opts.env);
  const parsed = await loadScore(opts.file);
  const { workload } = parsed;
  const containers = Object.keys(workload.containers);
  if (opts.container === undefined && containers.length > 1) {
    throw new InputError(`the Score file has ${containers.length} containers (${containers.join(', ')}); choose one with --container`, { code: 'container_required', issues: [{ path: '--container', message: 'is required' }] });
  }
  const container = opts.container ?? containers[0]!;
  if (!workload.containers[container]) {
    throw new InputError(`the Score file has no container "${container}" (containers: ${containers.join(', ')})`, { code: 'container_required', issues: [{ path: '--container', message: 'no such container' }] });
  }
  const team = await ctx.team();
  const service = opts.service ?? workload.metadata.name;
  const apply = applyCommand(ctx, { file: opts.file, env, service: opts.service });
  const plan = await sendWorkload(ctx, parsed, team, service, env, true);
  const missing = plan.changes.filter((c) => c.action === 'create').map((c) => c.resource);
  if (missing.length > 0) {
    throw new InputError(`${service} has no ${missing.join(', ')} in ${env} yet: apply the file first: ${apply}`, {
      code: 'workload_not_applied', issues: missing.map((resource) => ({ path: `resources.${resource}`, message: 'not applied' })),
    });
  }
  const changed = plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.resource}`);
  if (changed.length > 0) ctx.err(`${ctx.colors.yellow(`warning: the file differs from what is applied in ${env} (${changed.join(', ')}); values may be out of date: ${apply}`)}\n`);

  const client = await ctx.client();
  const instances = (await client.listWorkloadInstances(team, service, env).catch((error: unknown) => {
    // Before the first apply the service itself does not exist: say what to do, not what is missing.
    if (isPavedError(error) && error.code === 'service_not_found') {
      throw new InputError(`${service} is not applied in ${env} yet: apply the file first: ${apply}`, {
        code: 'workload_not_applied', issues: [{ path: 'metadata.name', message: 'not applied' }],
      });
    }
    throw error;
  })).items.filter((i) => !i.deletionRequested);
  const wanted = resourceRefs(workload);
  const values: ResourceValues = {};
  // Revealed values that are not the instance's public outputs: masked in shipped log lines.
  const secrets: string[] = [];
  for (const [name, resource] of Object.entries(workload.resources ?? {})) {
    const instance = instances.find((i) => i.workload?.resource === (resource.id ?? name));
    if (!instance) throw new InputError(`resource "${name}" has no instance in ${env} yet; run: ${apply}`, { code: 'workload_not_applied', issues: [{ path: `resources.${name}`, message: 'not applied' }] });
    // A built-in type's outputs are what Paved recorded when it applied (or refreshed) it; read
    // from there, they are current even while the engine is still handing them out.
    const recorded = instance.inputs[RESOLVED_VALUE];
    const current = recorded && typeof recorded === 'object' && instance.inputs[WAITING_FOR_VALUE] === undefined ? recorded as Record<string, string> : {};
    values[name] = { ...instance.outputs, ...current };
    // Plain outputs are in the listing; a secret one (a password) is revealed, and audited, only when used.
    const missing = wanted.some(([r, output]) => r === name && output !== '' && !Object.hasOwn(values[name]!, output.split('.')[0]!));
    if (!missing) continue;
    if (instance.status.phase !== 'Ready' && instance.status.readyAt === undefined) {
      const why = instance.status.conditions.find((c) => c.type === 'Ready')?.message ?? instance.status.phase;
      throw new InputError(`resource "${name}" (${instance.name}) is not Ready yet: ${why}; see: paved get ${instance.name}${ctx.options.team !== undefined ? ` --team ${ctx.options.team}` : ''}`, {
        code: 'score_render_failed', issues: [{ path: `resources.${name}`, message: 'not Ready' }],
      });
    }
    values[name] = (await client.revealCredentials(team, instance.name)).values;
    for (const [key, value] of Object.entries(values[name]!)) if (typeof value === 'string' && instance.outputs[key] !== value) secrets.push(value);
  }
  return { parsed, team, service, env, container, values, instances, secrets };
}

/** The rendered variables of the chosen container: every placeholder filled in. */
export function renderedVariables(rendered: RenderedWorkload): Record<string, string> {
  try {
    return renderVariables(rendered.parsed.workload, rendered.values, [rendered.container]);
  } catch (error) {
    throw new InputError((error as Error).message, { code: 'score_render_failed', issues: [{ path: 'containers', message: (error as Error).message }] });
  }
}

export function registerWorkloadCommands(program: Command, runner: Runner): void {
  registerConfigCommands(program, runner);
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
      ctx.out(formatEnv(renderedVariables(await renderWorkload(ctx, opts)), opts.format));
    }));
}
