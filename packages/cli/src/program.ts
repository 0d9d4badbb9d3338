import type { Command } from 'commander';
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
import { rootProgram } from './root-program.js';

export { USAGE_EXIT_CODE, CLI_VERSION } from './root-program.js';
export { main } from './dispatch.js';

/**
 * The whole program, every command group registered: for tests, docs checks and callers of
 * @paved/cli. `paved` itself builds only the group it runs (dispatch.ts); command-groups.ts
 * lists the same groups in the same order, and command-table.test.ts checks they agree.
 */
export function buildProgram(runner: Runner): Command {
  const program = rootProgram(runner);
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
