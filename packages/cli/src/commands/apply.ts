import type { ApplyPolicyResult, PublishResult } from '@paved/model';
import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { loadManifestFiles } from '../manifest-files.js';
import { DEFAULT_APPLY_TIMEOUT, applyScoreFile, isScoreFile } from './workload.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerApplyCommand(program: Command, runner: Runner): void {
  program
    .command('apply')
    .description('publish product manifests and apply policies (kind: Policy); all files are validated first, nothing is published if any is invalid')
    .requiredOption('-f, --file <path>', 'a .yaml/.yml/.json file or a folder of them; repeatable', collect, [])
    .option('--env <environment>', 'Score files (apiVersion score.dev/v1b1): the environment to apply to')
    .option('--service <name>', 'Score files: the service (default: metadata.name)')
    .option('--wait', "Score files: wait until every instance of the workload is Ready")
    .option('--timeout <duration>', 'Score files: how long --wait waits for each instance', DEFAULT_APPLY_TIMEOUT)
    .addHelpText('after', '\nExamples:\n  paved apply -f products/postgres.yaml\n  paved apply -f products/ -f extra.yaml\n  paved apply -f policies/large-only-in-prod.yaml   # a policy: see docs/policies.md\n  paved apply -f score.yaml --env dev --wait   # a Score workload: see docs/workloads.md')
    .action(action(runner, async (ctx, opts: { file: string[]; env?: string; service?: string; wait?: boolean; timeout: string }) => {
      // A Score workload file goes to the workload path; paved.dev manifests are published.
      if (opts.file.length === 1 && (await isScoreFile(opts.file[0]!))) return applyScoreFile(ctx, { ...opts, file: opts.file[0]! }, false);
      const files = await loadManifestFiles(opts.file);
      const client = await ctx.client();
      const results: (PublishResult | ApplyPolicyResult)[] = [];
      for (const { manifests, policies } of files) {
        for (const manifest of manifests) {
          const result = await client.publishProduct(manifest);
          results.push(result);
          if (ctx.output === 'table') ctx.out(`product ${result.product.name}@${result.product.version} ${result.result}\n`);
        }
        for (const policy of policies) {
          const result = await client.applyPolicy(policy);
          results.push(result);
          if (ctx.output === 'table') ctx.out(`policy ${result.policy.name}@${result.policy.version} ${result.result}\n`);
        }
      }
      if (ctx.output !== 'table') ctx.print(results, () => '');
    }));
}
