import { InputError } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { canAskForFeedback, promptForFeedback } from '../feedback-prompt.js';

/** `paved feedback PRODUCT` and `paved help NAME "message"`: what developers tell the team behind a product. */
export function registerFeedbackCommands(program: Command, runner: Runner): void {
  program
    .command('feedback')
    .description('tell a product\'s team how it works for you: a score from 1 to 5 and a comment (asked in a terminal without --score)')
    .argument('<product>', 'product name (see: paved products)')
    .option('--score <1-5>', '1 (bad) to 5 (excellent)')
    .option('--comment <text>', 'what the team should know')
    .option('--instance <name>', 'the instance it is about (of --team); once per instance')
    .addHelpText('after', '\nExamples:\n  paved feedback postgres\n  paved feedback postgres --score 4 --comment "Fast, but I had to look up the port"')
    .action(action(runner, giveFeedback));

  // `paved help` asks a product's team for help; the commander built-in it replaces is kept:
  // `paved help` alone and `paved help COMMAND` still print help.
  program.helpCommand(false);
  program
    .command('help')
    .description('ask the team behind an instance\'s product for help (they see it with paved metrics help-requests); alone or with a command: usage help')
    .argument('[name]', 'instance name (or a command, for its usage help)')
    .argument('[message...]', 'what you need help with')
    .addHelpText('after', '\nExamples:\n  paved help orders-db "It stays in Provisioning since this morning"\n  paved help create')
    .action(action(runner, (ctx, name: string | undefined, message: string[]) => askForHelp(ctx, program, name, message)));
}

async function giveFeedback(ctx: Context, product: string, opts: { score?: string; comment?: string; instance?: string }) {
  const client = await ctx.client();
  let answer: { score: number; comment?: string } | undefined;
  if (opts.score !== undefined) {
    answer = { score: Number(opts.score), ...(opts.comment === undefined ? {} : { comment: opts.comment }) };
  } else if (canAskForFeedback(ctx.io, false)) {
    answer = await promptForFeedback(ctx.io, `How does ${product} work for you? Your answer goes to the team that runs it.`);
    if (answer === undefined) return;
  } else {
    throw new InputError(`Give a score with --score 1 to 5 (and --comment): this shell cannot ask for one`, {
      code: 'score_required', issues: [{ path: '--score', message: 'required where the CLI cannot ask' }],
    });
  }
  const instance = opts.instance === undefined ? undefined : { team: await ctx.team(), name: opts.instance };
  const receipt = await client.giveFeedback(product, { ...answer, ...(instance === undefined ? {} : { instance }) });
  ctx.print(receipt, () => `Thanks: your feedback on ${product} went to the team that runs it.\n`);
}

async function askForHelp(ctx: Context, program: Command, name: string | undefined, message: string[]) {
  const command = name === undefined ? undefined : program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (name === undefined || (command !== undefined && message.length === 0)) {
    (command ?? program).outputHelp();
    return;
  }
  const text = message.join(' ').trim();
  if (text === '') {
    throw new InputError(`Say what you need help with: paved help ${name} "what is wrong"`, { code: 'message_required', issues: [{ path: 'message', message: 'is empty' }] });
  }
  const team = await ctx.team();
  const receipt = await (await ctx.client()).requestHelp(team, name, text);
  ctx.print(receipt, () => `Asked the ${receipt.owner} team for help with ${receipt.instance} (${receipt.product}); they see it with: paved metrics help-requests ${receipt.product}\n`
    + (receipt.support === undefined ? '' : `You can also reach them at ${receipt.support}.\n`));
}
