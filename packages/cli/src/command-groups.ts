import type { Command } from 'commander';
import type { Runner } from './context.js';

export type RegisterCommands = (program: Command, runner: Runner) => void;

/**
 * The CLI's command groups, in the order `paved --help` lists their commands, each loaded with
 * import() only when one of its commands runs (dispatch.ts): `paved get` loads and builds the
 * instance commands, not the 25 groups. program.ts's buildProgram registers the same groups, in
 * the same order, from static imports.
 */
export const COMMAND_GROUPS = {
  server: async () => (await import('./commands/server.js')).registerServerCommands,
  auth: async () => (await import('./commands/auth.js')).registerAuthCommands,
  users: async () => (await import('./commands/users.js')).registerUserCommands,
  tokens: async () => (await import('./commands/tokens.js')).registerTokenCommands,
  teams: async () => (await import('./commands/teams.js')).registerTeamCommands,
  products: async () => (await import('./commands/products.js')).registerProductCommands,
  instances: async () => (await import('./commands/instances.js')).registerInstanceCommands,
  rollouts: async () => (await import('./commands/rollouts.js')).registerRolloutCommands,
  policies: async () => (await import('./commands/policies.js')).registerPolicyCommands,
  rotate: async () => (await import('./commands/rotate.js')).registerRotateCommand,
  reconcile: async () => (await import('./commands/reconcile.js')).registerReconcileCommand,
  env: async () => (await import('./commands/env.js')).registerEnvCommands,
  logs: async () => (await import('./commands/logs.js')).registerLogsCommand,
  apply: async () => (await import('./commands/apply.js')).registerApplyCommand,
  services: async () => (await import('./commands/services.js')).registerServiceCommands,
  environments: async () => (await import('./commands/environments.js')).registerEnvironmentCommands,
  workload: async () => (await import('./commands/workload.js')).registerWorkloadCommands,
  backstage: async () => (await import('./commands/backstage.js')).registerBackstageCommands,
  init: async () => (await import('./commands/init.js')).registerInitCommands,
  audit: async () => (await import('./commands/audit.js')).registerAuditCommands,
  events: async () => (await import('./commands/events.js')).registerEventCommands,
  metrics: async () => (await import('./commands/metrics.js')).registerMetricsCommands,
  feedback: async () => (await import('./commands/feedback.js')).registerFeedbackCommands,
  keys: async () => (await import('./commands/keys.js')).registerKeysCommands,
  backup: async () => (await import('./commands/backup.js')).registerBackupCommands,
  targets: async () => (await import('./commands/targets.js')).registerTargetCommands,
} satisfies Record<string, () => Promise<RegisterCommands>>;

export type CommandGroup = keyof typeof COMMAND_GROUPS;
