import type { Approval, HistoryEntry, PolicyDecision, QuotaCheck, RequestPreview } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatFields, formatTable } from '../output.js';

/** Guardrails as policy (docs/policies.md): list and read policies, decide approvals, read an instance's history. */
export function registerPolicyCommands(program: Command, runner: Runner): void {
  const policies = program.command('policies').description('the policies that judge every request (apply them with paved apply -f)');
  policies
    .command('list', { isDefault: true })
    .description('every policy at the version in force')
    .addHelpText('after', '\nExample:\n  paved policies')
    .action(action(runner, async (ctx) => {
      const { items } = await (await ctx.client()).listPolicies();
      ctx.print(items, () => items.length === 0
        ? 'No policies yet; a platform team applies one with: paved apply -f policy.yaml\n'
        : formatTable(['NAME', 'VERSION', 'ACTION', 'OWNER', 'DESCRIPTION'], items.map((p) => [p.name, p.version, p.action, p.owner, p.description ?? p.title ?? '']), ctx.colors));
    }));
  policies
    .command('show')
    .description('one policy: its rules and versions')
    .argument('<name>', 'policy name')
    .addHelpText('after', '\nExample:\n  paved policies show large-only-in-prod -o yaml')
    .action(action(runner, async (ctx, name: string) => {
      const policy = await (await ctx.client()).getPolicy(name);
      ctx.print(policy, () => {
        const head = formatFields([['name', policy.name], ['version', policy.version], ['versions', policy.versions.join(', ')], ['owner', policy.owner], ['action', policy.action], ['applied', `${policy.appliedAt} by ${policy.appliedBy}`]], ctx.colors);
        const rules = policy.manifest.spec.validations.map((v, i) => `  ${i + 1}. ${v.expression}\n     when false: ${v.message}\n`).join('');
        return `${head}rules:\n${rules}`;
      });
    }));

  const approvals = program.command('approvals').description('requests waiting for approval by a team (docs/policies.md#approvals)');
  approvals
    .command('list', { isDefault: true })
    .description('approvals your teams decide or asked for (platform admins: all)')
    .option('--state <state>', 'Waiting, Approved or Denied (default: every state)')
    .addHelpText('after', '\nExamples:\n  paved approvals list\n  paved approvals list --state Waiting -o json')
    .action(action(runner, async (ctx, opts: { state?: Approval['state'] }) => {
      const { items } = await (await ctx.client()).listApprovals(opts.state ? { state: opts.state } : {});
      ctx.print(items, () => items.length === 0 ? 'No approvals.\n' : formatTable(
        ['ID', 'STATE', 'TEAM', 'INSTANCE', 'APPROVERS', 'REQUESTED BY', 'POLICIES', 'DECIDED BY'],
        items.map((a) => [a.id, a.state, a.team, a.instance, a.approvers, a.requestedBy, a.decisions.map((d) => d.policy).join(', '), a.decidedBy ?? '']),
        ctx.colors,
      ));
    }));
  approvals
    .command('approve')
    .description('approve a waiting request: it is provisioned at once (not your own request)')
    .argument('<id>', 'approval id (paved approvals list)')
    .option('--reason <text>', 'why (kept with the approval)')
    .addHelpText('after', '\nExample:\n  paved approvals approve 5f0c…  --reason "capacity checked"')
    .action(action(runner, async (ctx, id: string, opts: { reason?: string }) => {
      const approval = await (await ctx.client()).approve(id, opts.reason);
      ctx.print(approval, () => `Approved ${approval.team}/${approval.instance}; Paved provisions it now.\n`);
    }));
  approvals
    .command('deny')
    .description('deny a waiting request; the requester sees the reason')
    .argument('<id>', 'approval id (paved approvals list)')
    .requiredOption('--reason <text>', 'what they could ask for instead')
    .addHelpText('after', '\nExample:\n  paved approvals deny 5f0c… --reason "use plan small in dev"')
    .action(action(runner, async (ctx, id: string, opts: { reason: string }) => {
      const approval = await (await ctx.client()).deny(id, opts.reason);
      ctx.print(approval, () => `Denied ${approval.team}/${approval.instance}: ${opts.reason}\n`);
    }));

  program
    .command('history')
    .description("an instance's provenance: who asked for each change, through which interface, on which version, what the policies decided, who approved, each reconcile's outcome")
    .argument('<name>', 'instance name')
    .addHelpText('after', '\nExample:\n  paved history orders-db --team payments')
    .action(action(runner, async (ctx, name: string) => {
      const team = await ctx.team();
      const history = await (await ctx.client()).instanceHistory(team, name);
      ctx.print(history, () => `History of ${history.team}/${history.instance} (${history.product}):\n${formatHistory(history.entries)}`);
    }));
}

function formatHistory(entries: readonly HistoryEntry[]): string {
  return entries.map((e) => {
    const who = e.actor ? ` by ${e.actor}` : '';
    const via = e.interface ? ` via ${e.interface}` : '';
    const on = e.version ? ` on ${e.version}${e.plan ? ` plan ${e.plan}` : ''}` : '';
    const extra = [e.approvers ? `approvers: ${e.approvers}` : '', e.reason ? `reason: ${e.reason}` : '', e.outcome ?? ''].filter(Boolean).join('; ');
    const policies = (e.policies ?? []).filter((p) => p.result !== 'skipped').map((p) => `    policy ${p.policy}@${p.version}: ${p.result}${p.result === 'failed' ? ` (${p.action}) ${p.message ?? ''}` : ''}\n`).join('');
    return `${e.at}  ${e.event}${who}${via}${on}${extra ? `  ${extra}` : ''}\n${policies}`;
  }).join('');
}

/** One line per decision that matters: failed ones with their message, passed ones briefly; skipped ones are left out. */
export function formatDecisions(decisions: readonly PolicyDecision[], quotas: readonly QuotaCheck[] = []): string {
  const lines = decisions.filter((d) => d.result !== 'skipped').map((d) => d.result === 'passed'
    ? `  ✔ policy ${d.policy}@${d.version}: passed\n`
    : `  ${d.action === 'deny' ? '✘' : '!'} policy ${d.policy}@${d.version} (${d.action}): ${d.message ?? 'not met'}\n`);
  const quotaLines = quotas.map((q) => `  ${q.passed ? '✔' : '✘'} quota ${q.product}/${q.plan}: ${q.used} used + ${q.adding} asked, at most ${q.max}\n`);
  return [...lines, ...quotaLines].join('');
}

export function formatPreview(ctx: Context, preview: RequestPreview): string {
  const { request } = preview;
  const verdict = preview.outcome === 'allowed' ? ctx.colors.green('would be created') : preview.outcome === 'denied' ? ctx.colors.red('would be refused') : 'would wait for approval';
  const env = request.environment ? ` in ${request.environment}` : '';
  return `Dry run: ${request.name} (${request.product}@${request.version}, plan ${request.plan}${env}) ${verdict}; nothing was written.\n${formatDecisions(preview.decisions, preview.quotas)}`;
}
