import type { PublishResult } from '@paved/model';
import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { loadManifestFiles } from '../manifest-files.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerApplyCommand(program: Command, runner: Runner): void {
  program
    .command('apply')
    .description('publish product manifests (all files are validated first; nothing is published if any is invalid)')
    .requiredOption('-f, --file <path>', 'a .yaml/.yml/.json file or a folder of them; repeatable', collect, [])
    .addHelpText('after', '\nExamples:\n  paved apply -f products/postgres.yaml\n  paved apply -f products/ -f extra.yaml')
    .action(action(runner, async (ctx, opts: { file: string[] }) => {
      const files = await loadManifestFiles(opts.file);
      const client = await ctx.client();
      const results: PublishResult[] = [];
      for (const { manifests } of files) {
        for (const manifest of manifests) {
          const result = await client.publishProduct(manifest);
          results.push(result);
          if (ctx.output === 'table') ctx.out(`product ${result.product.name}@${result.product.version} ${result.result}\n`);
        }
      }
      if (ctx.output !== 'table') ctx.print(results, () => '');
    }));
}
