import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS, type CommandGroup } from './command-groups.js';
import { COMMAND_TABLE, type TopLevelCommand } from './command-table.js';
import { standInProgram } from './dispatch.js';
import { buildProgram, main } from './program.js';
import { rootProgram } from './root-program.js';
import { captureIo } from './test-support.js';

// `paved` answers its own help and unknown commands from command-table.ts, without loading the
// command modules (dispatch.ts): the table must say exactly what the whole program says.
const runner = () => ({ io: captureIo({}), setExitCode: () => {} });
const help = new Help();
const hidden = (command: Command) => (command as unknown as { _hidden: boolean })._hidden;

async function tableOfProgram(): Promise<TopLevelCommand[]> {
  const groupOf = new Map<string, CommandGroup>();
  for (const [group, load] of Object.entries(COMMAND_GROUPS) as [CommandGroup, () => Promise<(program: Command, runner: ReturnType<typeof runner>) => void>][]) {
    const program = rootProgram(runner());
    (await load())(program, runner());
    for (const command of program.commands) groupOf.set(command.name(), group);
  }
  return buildProgram(runner()).commands.map((command) => ({
    name: command.name(),
    aliases: command.aliases(),
    term: help.subcommandTerm(command),
    description: help.subcommandDescription(command),
    hidden: hidden(command),
    group: groupOf.get(command.name())!,
  }));
}

const tableFile = new URL('./command-table.ts', import.meta.url);

describe('the top-level command table', () => {
  it('lists every command of the program, in order, as its help shows it, with the group that registers it', async () => {
    const table = await tableOfProgram();
    if (process.env.UPDATE_COMMAND_TABLE === '1') {
      const source = readFileSync(tableFile, 'utf8').replace(/COMMAND_TABLE: readonly TopLevelCommand\[\] = [\s\S]*$/, `COMMAND_TABLE: readonly TopLevelCommand[] = ${JSON.stringify(table, null, 2).replace(/"(\w+)":/g, '$1:')};\n`);
      writeFileSync(tableFile, source);
      return;
    }
    expect(COMMAND_TABLE, 'run UPDATE_COMMAND_TABLE=1 npx vitest run packages/cli/src/command-table.test.ts').toEqual(table);
  });

  it('gives the stand-in program the same help, commands and aliases as the whole program', () => {
    const whole = buildProgram(runner());
    const standIn = standInProgram(runner());
    expect(standIn.helpInformation()).toBe(whole.helpInformation());
    const names = (program: Command) => help.visibleCommands(program).map((command) => [command.name(), command.aliases()]);
    expect(names(standIn)).toEqual(names(whole));
  });

  it('makes paved answer help, unknown commands and usage errors as the whole program does', async () => {
    const cases = [[], ['--help'], ['gett'], ['help'], ['help', 'get'], ['get', '--help'], ['--team', 't', 'get', '--help'], ['teams', 'lst'], ['teams', 'help', 'create'], ['-o', 'yamlx', 'get', 'x'], ['get'], ['get', 'x', '--bogus']];
    for (const argv of cases) {
      const io = captureIo({ NO_COLOR: '1' });
      const code = await main(argv, io);
      const wholeIo = captureIo({ NO_COLOR: '1' });
      let wholeCode = 0;
      await buildProgram({ io: wholeIo, setExitCode: () => {} }).parseAsync(argv, { from: 'user' }).catch((error: unknown) => {
        if (!(error instanceof CommanderError)) throw error;
        wholeCode = error.exitCode === 0 ? 0 : 2;
      });
      expect({ argv, code, out: io.out.join(''), err: io.errs.join('') }).toEqual({ argv, code: wholeCode, out: wholeIo.out.join(''), err: wholeIo.errs.join('') });
    }
  });
});
