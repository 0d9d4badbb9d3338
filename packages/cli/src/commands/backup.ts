import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { loadRuntime } from './server.js';

/**
 * `paved backup` and `paved restore`: the embedded default (SQLite store and embedded
 * PostgreSQL) in one archive, run on the machine of `paved up` with its PAVED_* settings.
 */
export function registerBackupCommands(program: Command, runner: Runner): void {
  program
    .command('backup')
    .description('write the store, the embedded PostgreSQL cluster and a manifest into one archive, while Paved runs (never the master key)')
    .argument('<file>', 'the archive to write (.tar.gz); must not exist')
    .option('--data-dir <dir>', 'data folder (default: $PAVED_DATA_DIR or ~/.local/share/paved)')
    .addHelpText('after', [
      '',
      'The master key is not in the archive: keep the key file (or PAVED_MASTER_KEY) apart from it;',
      'the archive is of no use without it, and the two together open every credential.',
      '',
      'Examples:',
      '  paved backup ./paved-2026-12-02.tar.gz',
      '  paved backup /backups/paved.tar.gz --data-dir ./.paved',
    ].join('\n'))
    .action(action(runner, async (ctx, file: string, opts: { dataDir?: string }) => {
      const { loadConfig, backupPaved } = await loadRuntime();
      const config = loadConfig(ctx.io.env, opts.dataDir ? { dataDir: opts.dataDir } : {});
      const report = await backupPaved(config, file, (line) => ctx.err(`${line}\n`));
      const { manifest } = report;
      ctx.print(report, () => [
        `${ctx.colors.green('✔')} wrote ${report.file}\n`,
        `  ${manifest.instances} instances; secrets under master key ${manifest.masterKeys.map((k) => `${k.id} (${k.secrets})`).join(', ') || '(none)'}\n`,
        manifest.embeddedPostgres ? `  embedded PostgreSQL ${manifest.embeddedPostgres.pgVersion}: ${manifest.embeddedPostgres.databases.length} tenant databases\n` : '',
        `  The master key is not in it: restoring needs ${config.masterKey !== undefined ? 'PAVED_MASTER_KEY' : config.masterKeyFile}.\n`,
      ].join(''));
    }));

  program
    .command('restore')
    .description('restore a paved backup into an empty data folder; then paved up serves every instance and secret again')
    .argument('<file>', 'an archive written by paved backup')
    .option('--data-dir <dir>', 'the empty data folder to restore into (default: $PAVED_DATA_DIR or ~/.local/share/paved)')
    .option('--master-key-file <file>', 'the key file the backup needs (copied into the data folder); or set PAVED_MASTER_KEY')
    .addHelpText('after', '\nExamples:\n  paved restore ./paved-2026-12-02.tar.gz --data-dir ./.paved-restored --master-key-file ./master.key\n  paved up --data-dir ./.paved-restored')
    .action(action(runner, async (ctx, file: string, opts: { dataDir?: string; masterKeyFile?: string }) => {
      const { loadConfig, restorePaved } = await loadRuntime();
      const config = loadConfig(ctx.io.env, opts.dataDir ? { dataDir: opts.dataDir } : {});
      const report = await restorePaved(config, file, opts.masterKeyFile ? { masterKeyFile: opts.masterKeyFile } : {}, (line) => ctx.err(`${line}\n`));
      ctx.print(report, () => [
        `${ctx.colors.green('✔')} restored ${file} into ${report.dataDir}\n`,
        `  ${report.manifest.instances} instances; ${report.secretsRead} secrets read back with the master key\n`,
        report.manifest.embeddedPostgres ? `  embedded PostgreSQL: ${report.databases.length} tenant databases\n` : '',
        `\nNext: paved up --data-dir ${report.dataDir}\n`,
      ].join(''));
    }));
}
