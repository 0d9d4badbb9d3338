import { Command, CommanderError, Option } from 'commander';
import { colorsEnabled, createColors } from './colors.js';
import { registerApplyCommand } from './commands/apply.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerBackstageCommands } from './commands/backstage.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerEnvCommands } from './commands/env.js';
import { registerEnvironmentCommands } from './commands/environments.js';
import { registerFeedbackCommands } from './commands/feedback.js';
import { registerEventCommands } from './commands/events.js';
import { registerMetricsCommands } from './commands/metrics.js';
import { registerServiceCommands } from './commands/services.js';
import { registerWorkloadCommands } from './commands/workload.js';
import { registerInitCommands } from './commands/init.js';
import { registerInstanceCommands } from './commands/instances.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerProductCommands } from './commands/products.js';
import { registerPolicyCommands } from './commands/policies.js';
import { registerReconcileCommand } from './commands/reconcile.js';
import { registerRotateCommand } from './commands/rotate.js';
import { registerRolloutCommands } from './commands/rollouts.js';
import { registerServerCommands } from './commands/server.js';
import { registerTargetCommands } from './commands/targets.js';
import { registerTeamCommands } from './commands/teams.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerUserCommands } from './commands/users.js';
import type { Runner } from './context.js';
import { exitCodeFor, formatError } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { OUTPUT_FORMATS } from './output.js';

/** Commander's own usage errors (unknown option, missing argument) exit 2, like every shell tool. */
export const USAGE_EXIT_CODE = 2;
export const CLI_VERSION = '0.1.0';

export function buildProgram(runner: Runner): Command {
  const { io } = runner;
  const program = new Command('paved')
    .description('Paved: infrastructure as a product. Self-service instances of your platform team\'s products.')
    .option('--url <url>', 'Paved server URL (env PAVED_URL; default from paved login / paved up)')
    .option('--token <token>', 'API token (env PAVED_TOKEN; default from paved login / paved up)')
    .option('--team <team>', 'team to act for (env PAVED_TEAM; default: the CLI config\'s team, else your only team)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS as string[]).default('table'))
    .option('--no-feedback', 'never ask for feedback after --wait (env PAVED_NO_FEEDBACK=1; never asked outside a terminal or with CI set)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(createColors(colorsEnabled(io)).red(s)),
    })
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .showHelpAfterError('(run with --help for usage and examples)')
    .addHelpText('after', '\nGetting started:\n  paved up                              # a local Paved, CLI signed in as admin\n  paved teams create my-team\n  paved create postgres orders-db --team my-team --wait\n  paved run --instance orders-db --team my-team -- npm start\n\npaved --version prints the version. Docs: docs/cli.md');
  registerServerCommands(program, runner);
  registerAuthCommands(program, runner);
  registerUserCommands(program, runner);
  registerTokenCommands(program, runner);
  registerTeamCommands(program, runner);
  registerProductCommands(program, runner);
  registerInstanceCommands(program, runner);
  registerRolloutCommands(program, runner);
  registerPolicyCommands(program, runner);
  registerRotateCommand(program, runner);
  registerReconcileCommand(program, runner);
  registerEnvCommands(program, runner);
  registerLogsCommand(program, runner);
  registerApplyCommand(program, runner);
  registerServiceCommands(program, runner);
  registerEnvironmentCommands(program, runner);
  registerWorkloadCommands(program, runner);
  registerBackstageCommands(program, runner);
  registerInitCommands(program, runner);
  registerAuditCommands(program, runner);
  registerEventCommands(program, runner);
  registerMetricsCommands(program, runner);
  registerFeedbackCommands(program, runner);
  registerKeysCommands(program, runner);
  registerBackupCommands(program, runner);
  registerTargetCommands(program, runner);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  // Not commander's .version(): its global --version would swallow `create --version 1.2.0`.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${CLI_VERSION}\n`);
    return 0;
  }
  let exitCode = 0;
  const program = buildProgram({ io, setExitCode: (code) => (exitCode = code) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    io.stderr.write(formatError(error, createColors(colorsEnabled(io) && io.stderr.isTTY === true)));
    return exitCodeFor(error);
  }
}
