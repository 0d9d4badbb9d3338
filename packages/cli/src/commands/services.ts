import type { Service } from '@paved/model';
import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { formatFields, formatTable } from '../output.js';
import { allPages } from './teams.js';

export function registerServiceCommands(program: Command, runner: Runner): void {
  const services = program.command('services').description("the catalog's services (a team's workloads)");
  services
    .command('list', { isDefault: true })
    .description("a team's services (--all: every team's)")
    .option('--all', "every team's services (the whole catalog)")
    .action(action(runner, async (ctx, opts: { all?: boolean }) => {
      const client = await ctx.client();
      // Every page (docs/cli.md: listings print every page), not the first hundred.
      const team = opts.all ? undefined : await ctx.team();
      const items = await allPages((cursor) => {
        const page = { limit: 100, ...(cursor ? { cursor } : {}) };
        return team === undefined ? client.listAllServices(page) : client.listServices(team, page);
      });
      ctx.print(items, () => formatTable(['TEAM', 'NAME', 'LIFECYCLE', 'DESCRIPTION'], items.map((s) => [s.teamName, s.name, s.lifecycle, s.description]), ctx.colors));
    }));
  services
    .command('create')
    .description('register a service (paved apply also registers one on its first apply)')
    .argument('<name>')
    .option('--description <text>')
    .option('--repo <url>', 'repository URL')
    .option('--lifecycle <lifecycle>', 'experimental, production or deprecated')
    .action(action(runner, async (ctx, name: string, opts: { description?: string; repo?: string; lifecycle?: Service['lifecycle'] }) => {
      const service = await (await ctx.client()).createService(await ctx.team(), {
        name, ...(opts.description ? { description: opts.description } : {}), ...(opts.repo ? { repositoryUrl: opts.repo } : {}), ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
      });
      ctx.print(service, () => `service ${service.teamName}/${service.name} created\n`);
    }));
  services
    .command('show')
    .description('a service and the instances of its workload per environment')
    .argument('<name>')
    .action(action(runner, async (ctx, name: string) => {
      const client = await ctx.client();
      const team = await ctx.team();
      const service = await client.getService(team, name);
      const environments = await client.listEnvironments();
      const rows: string[][] = [];
      for (const env of environments) {
        for (const i of (await client.listWorkloadInstances(team, name, env.name)).items) rows.push([env.name, i.workload?.resource ?? '', i.name, i.product, i.plan, i.status.phase]);
      }
      ctx.print(service, () => formatFields([['Team', service.teamName], ['Name', service.name], ['Description', service.description], ['Repository', service.repositoryUrl], ['Lifecycle', service.lifecycle], ['System', service.system]], ctx.colors)
        + (rows.length ? `\n${formatTable(['ENV', 'RESOURCE', 'INSTANCE', 'PRODUCT', 'PLAN', 'PHASE'], rows, ctx.colors)}` : '\nno instances\n'));
    }));
  services
    .command('delete')
    .description('remove a service from the catalog (refused while it has instances)')
    .argument('<name>')
    .action(action(runner, async (ctx, name: string) => {
      await (await ctx.client()).deleteService(await ctx.team(), name);
      ctx.print({ deleted: name }, () => `service ${name} deleted\n`);
    }));
}
