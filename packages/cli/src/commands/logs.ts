import { InputError, type LogLine } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatData } from '../output.js';
import { printable } from '../terminal-text.js';

interface LogsOptions {
  env: string;
  follow?: boolean;
  since?: string;
  grep?: string;
}

export function registerLogsCommand(program: Command, runner: Runner): void {
  program
    .command('logs')
    .description('show a service\'s log lines in an environment (what `paved run` shipped)')
    .argument('<service>', 'service name')
    .requiredOption('--env <environment>', 'environment, e.g. dev')
    .option('-f, --follow', 'keep printing new lines as they arrive, until Ctrl-C')
    .option('--since <time>', 'only lines since a duration ago (30s, 10m, 2h, 7d) or an ISO 8601 time')
    .option('--grep <text>', 'only lines containing this text (case-sensitive, taken literally)')
    .addHelpText('after', '\nEach line prints as: time stream line (stderr lines in red).\n\nExamples:\n  paved logs shop --env dev --since 10m\n  paved logs shop --env prod --grep ERROR -f\n  paved logs shop --env dev -o json')
    .action(action(runner, logs));
}

async function logs(ctx: Context, service: string, opts: LogsOptions): Promise<number> {
  const team = await ctx.team();
  const client = await ctx.client();
  const print = printer(ctx, opts.follow === true);
  const query = { ...(opts.since ? { since: opts.since } : {}), ...(opts.grep !== undefined ? { grep: nonEmpty(opts.grep) } : {}) };

  // History first, a page at a time, then (with --follow) everything after the last line read.
  let cursor: string | undefined;
  let last: string | undefined;
  do {
    const page = await client.listLogLines(team, service, opts.env, { ...query, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const line of page.items) print.line(line);
    if (page.items.length > 0) last = String(page.items.at(-1)!.seq);
    cursor = page.nextCursor;
    if (cursor) last = cursor;
  } while (cursor);
  if (!opts.follow) {
    print.end();
    return 0;
  }

  const controller = new AbortController();
  const stop = () => controller.abort();
  const offs = [ctx.io.onSignal('SIGINT', stop), ctx.io.onSignal('SIGTERM', stop)];
  try {
    // With no line read yet, follow from the start of the stream: whatever is there now arrived after the listing.
    await client.followLogs(team, service, opts.env, { ...query, cursor: last ?? '0', signal: controller.signal, onLine: print.line });
  } finally {
    offs.forEach((off) => off());
  }
  return 0;
}

function nonEmpty(grep: string): string {
  if (grep === '') throw new InputError('--grep needs some text', { code: 'grep_empty', issues: [{ path: '--grep', message: 'must not be empty' }] });
  return grep;
}

/**
 * Table output: `time stream line`, stderr in red (colours follow NO_COLOR and the terminal);
 * a line is printable only (its colours kept, any other control sequence shown escaped), since
 * whoever shipped it is not whoever reads it.
 * json/yaml print the lines as the API returns them: one array at the end, or with --follow one
 * JSON object per line (NDJSON), since a followed stream has no end.
 */
function printer(ctx: Context, follow: boolean): { line(line: LogLine): void; end(): void } {
  const all: LogLine[] = [];
  if (ctx.output === 'table') {
    return {
      line: (l) => {
        const text = `${ctx.colors.dim(l.at)} ${l.stream} ${printable(l.line)}`;
        ctx.out(`${l.stream === 'stderr' ? ctx.colors.red(text) : text}\n`);
      },
      end: () => {},
    };
  }
  if (follow && ctx.output === 'json') return { line: (l) => ctx.out(`${JSON.stringify(l)}\n`), end: () => {} };
  if (follow) return { line: (l) => ctx.out(formatData([l], 'yaml')), end: () => {} };
  return { line: (l) => all.push(l), end: () => ctx.out(formatData(all, ctx.output as 'json' | 'yaml')) };
}
