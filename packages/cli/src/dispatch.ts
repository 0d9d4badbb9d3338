import { Command, CommanderError, Help } from 'commander';
import { colorsEnabled, createColors } from './colors.js';
import { COMMAND_GROUPS, type CommandGroup } from './command-groups.js';
import { COMMAND_TABLE, type TopLevelCommand } from './command-table.js';
import type { Runner } from './context.js';
import { processIo, type Io } from './io.js';
import { CLI_VERSION, USAGE_EXIT_CODE, rootProgram } from './root-program.js';

/** Thrown by a stand-in command: the command named is to run (or show its help), so its group loads. */
class GroupInvoked extends Error {
  constructor(readonly command: TopLevelCommand) {
    super(`paved ${command.name}`);
  }
}

/**
 * `paved` with stand-ins for its top-level commands, made from command-table.ts without loading
 * any command module: it answers everything that needs no command's code exactly as the whole
 * program would (`paved --help`, `paved help`, an unknown command and its suggestion, a bad
 * global option), and throws GroupInvoked when a command is named. Start-up was ~5 ms building
 * all 25 groups and ~30 ms compiling their code (bench/README.md §9).
 */
export function standInProgram(runner: Runner): Command {
  const program = rootProgram(runner);
  const terms = new Map<Command, TopLevelCommand>();
  const help = new Help();
  program.configureHelp({
    ...program.configureHelp(),
    subcommandTerm: (cmd) => terms.get(cmd)?.term ?? help.subcommandTerm(cmd),
  });
  // The `help` command, when a group registers one, replaces commander's built-in.
  if (COMMAND_TABLE.some((entry) => entry.name === 'help')) program.helpCommand(false);
  for (const entry of COMMAND_TABLE) {
    const standIn = program
      .command(entry.name, { hidden: entry.hidden })
      .aliases(entry.aliases)
      .description(entry.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new GroupInvoked(entry);
      });
    // `paved help NAME` (commander's built-in) asks the command for its help directly.
    standIn.help = () => {
      throw new GroupInvoked(entry);
    };
    terms.set(standIn, entry);
  }
  return program;
}

/** The groups to load for `command`: its own; all for `paved help`, which prints any command's help. */
function groupsFor(command: TopLevelCommand): CommandGroup[] {
  return command.name === 'help' ? (Object.keys(COMMAND_GROUPS) as CommandGroup[]) : [command.group];
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  // Not commander's .version(): its global --version would swallow `create --version 1.2.0`.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${CLI_VERSION}\n`);
    return 0;
  }
  let exitCode = 0;
  const runner: Runner = { io, setExitCode: (code) => (exitCode = code) };
  try {
    // `paved get …`: a command named first is the one the stand-ins would dispatch to (or the
    // root's options after it fail the same way in both programs), so its group loads at once.
    let command = COMMAND_TABLE.find((entry) => entry.name === argv[0] || entry.aliases.includes(argv[0] ?? ''));
    if (command === undefined) {
      try {
        await standInProgram(runner).parseAsync([...argv], { from: 'user' });
        return exitCode;
      } catch (error) {
        if (!(error instanceof GroupInvoked)) throw error;
        command = error.command;
      }
    }
    // The same arguments again, through the program with the named command's group.
    const program = rootProgram(runner);
    const registers = await Promise.all(groupsFor(command).map((group) => COMMAND_GROUPS[group]()));
    for (const register of registers) register(program, runner);
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    const { exitCodeFor, formatError } = await import('./exit-codes.js');
    io.stderr.write(formatError(error, createColors(colorsEnabled(io) && io.stderr.isTTY === true)));
    return exitCodeFor(error);
  }
}
