import { InputError, type AuditRecord } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatTable } from '../output.js';
import type { VerifyOptions } from './audit-verify.js';

interface ListOptions {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  limit: string;
}

/** Records one `paved audit` reads per request (the API's largest page). */
const PAGE = 500;

export function registerAuditCommands(program: Command, runner: Runner): void {
  const audit = program.command('audit')
    .description('the audit log: who changed or revealed what, when and from where (platform admins; team owners with --team)')
    .addHelpText('after', '\nExamples:\n  paved audit list --since 1d\n  paved audit list --actor ann --action revealCredentials -o json\n  paved audit --team payments\n  paved audit export > audit.jsonl\n  paved audit verify\n  paved audit verify --file audit.jsonl --checkpoint last-month.jsonl\n\nDocs: docs/audit.md');

  audit
    .command('list', { isDefault: true })
    .description('list audit records, newest first, one line per request')
    .option('--since <time>', 'records since a duration ago (30m, 2h, 7d) or an ISO 8601 time')
    .option('--until <time>', 'records before a duration ago or an ISO 8601 time')
    .option('--actor <user>', 'records of one actor (a user, paved, or anonymous)')
    .option('--action <action>', 'records of one action: an operationId (createInstance, revealCredentials…) or token.issue, token.revoke, signin')
    .option('--limit <n>', 'most records to show', '50')
    .addHelpText('after', '\n--team TEAM shows only that team\'s records (what its owners may read).')
    .action(action(runner, list));

  audit
    .command('export')
    .description('write the audit chain as JSON lines to stdout, to keep, verify later or ship elsewhere')
    .option('--after <seq>', 'only records after this seq (an incremental export; see docs/audit.md)')
    .addHelpText('after', '\n--team TEAM exports only that team\'s records: each can be verified, the chain between them cannot.\n\nExamples:\n  paved audit export > audit.jsonl\n  paved audit export --after 1200 >> archive.jsonl')
    .action(action(runner, exportLog));

  audit
    .command('verify')
    .description('verify the audit chain (the server\'s, or an export): exits 1 naming every modified, deleted or reordered record, a truncated tail, a bad checkpoint')
    .option('--file <file>', 'verify this export (paved audit export) instead of the server\'s log')
    .option('--checkpoint <file>', 'a checkpoint you trust: the last one in this file (an earlier export); the log must still hold it, unchanged')
    .option('--public-key <key>', 'the audit public key to trust (paved audit keys on a server you trust), instead of asking the server')
    .action(action(runner, async (ctx, opts: VerifyOptions) => (await import('./audit-verify.js')).verifyAudit(ctx, opts)));

  audit
    .command('keys')
    .description('show the public keys the audit log is signed with (to verify exports offline with --public-key)')
    .action(action(runner, async (ctx) => {
      const { items } = await (await ctx.client()).listAuditKeys();
      ctx.print(items, () => formatTable(['ID', 'ALGORITHM', 'PUBLIC KEY'], items.map((k) => [k.id, k.algorithm, k.publicKey]), ctx.colors));
    }));
}

async function list(ctx: Context, opts: ListOptions): Promise<void> {
  const limit = positive(opts.limit, '--limit');
  const client = await ctx.client();
  const query = {
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.actor ? { actor: opts.actor } : {}),
    ...(opts.action ? { action: opts.action } : {}),
    ...(ctx.options.team ? { team: ctx.options.team } : {}),
  };
  const records: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listAudit({ ...query, limit: Math.min(PAGE, limit - records.length), ...(cursor ? { cursor } : {}) });
    records.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && records.length < limit);
  ctx.print(records, () => (records.length === 0 ? 'No audit records.\n' : auditTable(ctx, records)));
}

async function exportLog(ctx: Context, opts: { after?: string }): Promise<void> {
  const after = opts.after === undefined ? undefined : positive(opts.after, '--after', 0);
  const client = await ctx.client();
  for await (const line of client.exportAudit({ ...(ctx.options.team ? { team: ctx.options.team } : {}), ...(after === undefined ? {} : { after }) })) {
    ctx.out(`${line}\n`);
  }
}

export function auditTable(ctx: Context, records: readonly AuditRecord[]): string {
  return formatTable(
    ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'FROM'],
    records.map((r) => [String(r.seq), r.at, r.actor, r.action, targetText(r), outcomeText(ctx, r), r.source ? `${r.source.interface} ${r.source.address}` : '-']),
    ctx.colors,
  );
}

function targetText(record: AuditRecord): string {
  return Object.entries(record.target ?? {}).map(([key, value]) => `${key}=${value}`).join(' ') || '-';
}

function outcomeText(ctx: Context, record: AuditRecord): string {
  // A request recorded as received whose outcome never was: in flight, or the server stopped.
  if (record.stage === 'received') return ctx.colors.yellow('no outcome');
  if (!record.outcome) return '-';
  const { result, status, code } = record.outcome;
  const text = [result, String(status), code].filter(Boolean).join(' ');
  return result === 'allowed' ? text : ctx.colors.red(text);
}

function positive(text: string, flag: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new InputError(`${flag} must be a whole number of at least ${min} (got "${text}")`, { code: 'invalid_input', issues: [{ path: flag, message: `must be a whole number ≥ ${min}` }] });
  }
  return value;
}
