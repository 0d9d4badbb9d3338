import { Command, Option } from 'commander';
import { colorsEnabled, createColors } from './colors.js';
import type { Runner } from './context.js';
import { OUTPUT_FORMATS } from './output-formats.js';

/** Commander's own usage errors (unknown option, missing argument) exit 2, like every shell tool. */
export const USAGE_EXIT_CODE = 2;
export const CLI_VERSION = '0.1.0';

/** `paved` itself: its description, global options, help and error settings, without commands (command-groups.ts adds those). */
export function rootProgram(runner: Runner): Command {
  const { io } = runner;
  return new Command('paved')
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
}
