import { cannotConnect, errorLine, type PreflightResult } from '@paved/driver-api';
import type { ServerFacts, TargetConnection } from './admin-clients.js';

/** What the admin user runs, probed with ACL DRYRUN (which itself needs ACL rights). */
const ADMIN_PROBES: readonly (readonly string[])[] = [
  ['acl', 'setuser', 'pv_preflight_probe'],
  ['acl', 'deluser', 'pv_preflight_probe'],
  ['acl', 'getuser', 'pv_preflight_probe'],
  ['acl', 'users'],
  ['scan', '0', 'match', 'pv_preflight_probe:*'],
  ['unlink', 'pv_preflight_probe:x'],
  ['config', 'get', 'aclfile'],
  ['info', 'server'],
];

/** Can we provision on this target at all? One line per problem, each with its fix. Never throws. */
export async function preflight(connection: TargetConnection): Promise<PreflightResult> {
  const { redis, config } = connection;
  let facts: ServerFacts;
  try {
    await redis.call('PING');
    facts = await connection.facts();
  } catch (error) {
    const reason = errorLine(error, [config.admin.password]);
    if (/NOPERM/.test(reason)) {
      return { ok: false, problems: [`user ${config.admin.display} cannot read server facts (${reason}); give it +@admin, or at least +info +config|get +@keyspace +acl`] };
    }
    return { ok: false, problems: [cannotConnect('Redis', config.admin, error)] };
  }
  const version = `Redis ${facts.version}`;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (facts.major < 7) problems.push(`${version} is older than 7.0: ACL DRYRUN, subcommand rules and ACL checks inside scripts are needed; upgrade the server`);
  else problems.push(...(await missingRights(connection)));
  problems.push(...persistenceProblems(facts, warnings));
  return { ok: problems.length === 0, problems, version, warnings };
}

async function missingRights(connection: TargetConnection): Promise<string[]> {
  const { redis, config } = connection;
  let user: string;
  try {
    user = String(await redis.call('ACL', 'WHOAMI'));
  } catch (error) {
    return [`user ${config.admin.display} cannot run ACL commands (${errorLine(error)}); give it +@admin +@keyspace (or +acl +scan +unlink +config|get +info)`];
  }
  const missing: string[] = [];
  for (const probe of ADMIN_PROBES) {
    const reply = await redis.call('ACL', 'DRYRUN', user, ...probe).catch((error: Error) => errorLine(error));
    if (reply !== 'OK') missing.push(probe[0] === 'acl' || probe[0] === 'config' ? `${probe[0]}|${probe[1]}` : String(probe[0]));
  }
  return missing.length === 0 ? [] : [`user "${user}" may not run ${missing.join(', ')}; grant them: ACL SETUSER ${user} ${missing.map((c) => `+${c}`).join(' ')}`];
}

function persistenceProblems(facts: ServerFacts, warnings: string[]): string[] {
  switch (facts.persistence) {
    case 'aclfile':
      return facts.aclfile === '' ? ["config.aclPersistence is 'aclfile' but the server has no aclfile; start redis-server with --aclfile <path> (create the file empty first)"] : [];
    case 'config-rewrite':
      if (facts.aclfile !== '') return ["config.aclPersistence is 'config-rewrite' but the server uses an aclfile; set config.aclPersistence: 'aclfile'"];
      return facts.configFile === '' ? ["config.aclPersistence is 'config-rewrite' but the server was started without a config file; start it with a redis.conf or use an aclfile"] : [];
    case 'none':
      warnings.push(
        'ACL users are kept in memory only (no aclfile, no config file): a Redis restart loses every instance user until the next drift check recreates it; start redis-server with --aclfile <path>',
      );
      return [];
  }
}
