import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { loadRuntime } from './server.js';

/**
 * `paved keys`: the master keyring, run on a server's machine with the servers' PAVED_*
 * configuration (it opens the store and the keyring itself, as a server would).
 */
export function registerKeysCommands(program: Command, runner: Runner): void {
  const keys = program.command('keys').description("the master keys that wrap every stored secret's data key (run where the servers run, with their PAVED_* settings)");

  keys
    .command('rotate')
    .description('make a new master key the one that seals secrets and re-wrap every stored secret under it, while servers run')
    .addHelpText('after', [
      '',
      'With the key file (the default): a new key is added to it (the previous file is kept as',
      '<file>.before-v<n>), every secret is re-wrapped, then the file keeps the new key only.',
      'With PAVED_MASTER_KEY: first give every Paved process "v1:<current>,v2:<new>" and restart',
      'them; this then re-wraps every secret under v2. See docs/operations.md.',
      '',
      'Examples:',
      '  paved keys rotate',
      '  PAVED_MASTER_KEY="v1:$OLD,v2:$NEW" PAVED_DATABASE_URL=postgres://… paved keys rotate',
    ].join('\n'))
    .action(action(runner, async (ctx) => {
      const { loadConfig, rotateKeys } = await loadRuntime();
      const report = await rotateKeys(loadConfig(ctx.io.env), (line) => ctx.err(`${line}\n`));
      ctx.print(report, () => {
        const lines = [`${ctx.colors.green('✔')} every secret is sealed with master key v${report.key.version} (${report.key.id}); ${report.rewrapped} re-wrapped\n`];
        if (report.keyFile !== undefined) {
          lines.push(`  ${report.keyFile} holds v${report.key.version} only.\n`);
          if (report.backup !== undefined) lines.push(`  ${report.backup} holds the keys from before: backups made before now need it; keep it apart from the data, or delete it.\n`);
        } else {
          lines.push(`  Set PAVED_MASTER_KEY to "v${report.key.version}:<new key>" on every process; keep the old key only for backups made before now.\n`);
        }
        return lines.join('');
      });
    }));

  keys
    .command('status')
    .description('show which master key seals new secrets, which keys this machine holds and how many secrets each seals')
    .addHelpText('after', '\nExamples:\n  paved keys status\n  paved keys status -o json')
    .action(action(runner, async (ctx) => {
      const { loadConfig, keysStatus } = await loadRuntime();
      const status = await keysStatus(loadConfig(ctx.io.env));
      ctx.print(status, () => {
        const lines = [
          `active: v${status.active.version} (${status.active.id}) since ${status.active.activatedAt}\n`,
          `held (${status.source}${status.keyFile ? ` ${status.keyFile}` : ''}): ${status.held.map((key) => `v${key.version} (${key.id})`).join(', ')}\n`,
          ...status.secrets.map((entry) => `  ${entry.count} secret${entry.count === 1 ? '' : 's'} under ${entry.version === undefined ? '' : `v${entry.version} `}(${entry.id || 'unknown'})\n`),
        ];
        return lines.join('');
      });
    }));
}
