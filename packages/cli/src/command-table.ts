// Generated from the program by command-table.test.ts (UPDATE_COMMAND_TABLE=1 npx vitest run packages/cli/src/command-table.test.ts); do not edit.
import type { CommandGroup } from './command-groups.js';

/** A top-level command as `paved --help` lists it, and the group that registers it. */
export interface TopLevelCommand {
  name: string;
  aliases: string[];
  /** As the help lists it: name, alias, `[options]`, arguments. */
  term: string;
  description: string;
  hidden: boolean;
  group: CommandGroup;
}

export const COMMAND_TABLE: readonly TopLevelCommand[] = [
  {
    name: "up",
    aliases: [],
    term: "up [options]",
    description: "run Paved locally in one process (API and worker) on SQLite, and sign this CLI in as its admin",
    hidden: false,
    group: "server"
  },
  {
    name: "server",
    aliases: [],
    term: "server [options]",
    description: "run a Paved server process for production: the API, a worker, or both (configured by PAVED_* variables)",
    hidden: false,
    group: "server"
  },
  {
    name: "login",
    aliases: [],
    term: "login [options]",
    description: "sign in to a Paved server and remember it in the CLI config",
    hidden: false,
    group: "auth"
  },
  {
    name: "logout",
    aliases: [],
    term: "logout",
    description: "forget the token in the CLI config",
    hidden: false,
    group: "auth"
  },
  {
    name: "whoami",
    aliases: [],
    term: "whoami",
    description: "show who the current token belongs to and their teams",
    hidden: false,
    group: "auth"
  },
  {
    name: "users",
    aliases: [],
    term: "users",
    description: "manage users (platform admins)",
    hidden: false,
    group: "users"
  },
  {
    name: "tokens",
    aliases: [],
    term: "tokens",
    description: "list, create and revoke API tokens (your own; platform admins: anyone's with --user)",
    hidden: false,
    group: "tokens"
  },
  {
    name: "teams",
    aliases: [],
    term: "teams",
    description: "list and manage teams",
    hidden: false,
    group: "teams"
  },
  {
    name: "products",
    aliases: [],
    term: "products",
    description: "browse the product catalogue",
    hidden: false,
    group: "products"
  },
  {
    name: "create",
    aliases: [],
    term: "create [options] <product> <name>",
    description: "request an instance of a product for your team",
    hidden: false,
    group: "instances"
  },
  {
    name: "list",
    aliases: [],
    term: "list [options]",
    description: "list your team's instances",
    hidden: false,
    group: "instances"
  },
  {
    name: "get",
    aliases: [],
    term: "get <name>",
    description: "show an instance: spec, status, conditions and non-secret outputs",
    hidden: false,
    group: "instances"
  },
  {
    name: "delete",
    aliases: [],
    term: "delete [options] <name>",
    description: "delete an instance and everything it provisioned",
    hidden: false,
    group: "instances"
  },
  {
    name: "update",
    aliases: [],
    term: "update [options] <name>",
    description: "change an instance's plan, version or inputs (--set merges into the current inputs)",
    hidden: false,
    group: "instances"
  },
  {
    name: "upgrade",
    aliases: [],
    term: "upgrade [options] <name>",
    description: "move an instance to another version of its product, after a preview of what changes (inputs, outputs, plan limits)",
    hidden: false,
    group: "rollouts"
  },
  {
    name: "hold",
    aliases: [],
    term: "hold [options] <name>",
    description: "keep an instance on its version: rollouts skip it and report it",
    hidden: false,
    group: "rollouts"
  },
  {
    name: "unhold",
    aliases: [],
    term: "unhold <name>",
    description: "lift the hold on an instance: the next rollouts upgrade it",
    hidden: false,
    group: "rollouts"
  },
  {
    name: "rollout",
    aliases: [],
    term: "rollout [options] [product]",
    description: "roll a version out to every instance of a product on an older one, in health-gated waves (the product's owner team)",
    hidden: false,
    group: "rollouts"
  },
  {
    name: "policies",
    aliases: [],
    term: "policies",
    description: "the policies that judge every request (apply them with paved apply -f)",
    hidden: false,
    group: "policies"
  },
  {
    name: "approvals",
    aliases: [],
    term: "approvals",
    description: "requests waiting for approval by a team (docs/policies.md#approvals)",
    hidden: false,
    group: "policies"
  },
  {
    name: "history",
    aliases: [],
    term: "history <name>",
    description: "an instance's provenance: who asked for each change, through which interface, on which version, what the policies decided, who approved, each reconcile's outcome",
    hidden: false,
    group: "policies"
  },
  {
    name: "rotate",
    aliases: [],
    term: "rotate [options] <name>",
    description: "issue new credentials for an instance; the old ones keep working for the plan's grace period, then are revoked",
    hidden: false,
    group: "rotate"
  },
  {
    name: "reconcile",
    aliases: [],
    term: "reconcile [options] <name>",
    description: "have Paved try again now, e.g. after fixing what made an instance fail: it reconciles at once, with its retry backoff reset",
    hidden: false,
    group: "reconcile"
  },
  {
    name: "env",
    aliases: [],
    term: "env [options] <names...>",
    description: "print the credentials of instances as environment variables (each reveal is audited)",
    hidden: false,
    group: "env"
  },
  {
    name: "run",
    aliases: [],
    term: "run [options] <command...>",
    description: "run a command with instances' credentials in its environment (never in its arguments or output)",
    hidden: false,
    group: "env"
  },
  {
    name: "logs",
    aliases: [],
    term: "logs [options] <service>",
    description: "show a service's log lines in an environment (what `paved run` shipped)",
    hidden: false,
    group: "logs"
  },
  {
    name: "apply",
    aliases: [],
    term: "apply [options]",
    description: "publish product manifests and apply policies (kind: Policy); all files are validated first, nothing is published if any is invalid",
    hidden: false,
    group: "apply"
  },
  {
    name: "services",
    aliases: [],
    term: "services",
    description: "the catalog's services (a team's workloads)",
    hidden: false,
    group: "services"
  },
  {
    name: "environments",
    aliases: [],
    term: "environments",
    description: "environments (dev, staging, prod, …), their target selection and policies",
    hidden: false,
    group: "environments"
  },
  {
    name: "config",
    aliases: [],
    term: "config",
    description: "a service's own config values in an environment: what its Score environment resource gives (not secret)",
    hidden: false,
    group: "workload"
  },
  {
    name: "plan",
    aliases: [],
    term: "plan [options]",
    description: "show what applying a Score file to an environment would change (+ create, ~ update, - delete, = unchanged); changes nothing",
    hidden: false,
    group: "workload"
  },
  {
    name: "score",
    aliases: [],
    term: "score",
    description: "Score workload files",
    hidden: false,
    group: "workload"
  },
  {
    name: "backstage",
    aliases: [],
    term: "backstage",
    description: "import from and export to a Backstage software catalog",
    hidden: false,
    group: "backstage"
  },
  {
    name: "init",
    aliases: [],
    term: "init [options] <name>",
    description: "start a new service from a golden-path template: write its folder, register it in the catalog, and with --apply provision its environment",
    hidden: false,
    group: "init"
  },
  {
    name: "templates",
    aliases: [],
    term: "templates",
    description: "list the golden-path templates paved init can start a service from",
    hidden: false,
    group: "init"
  },
  {
    name: "audit",
    aliases: [],
    term: "audit",
    description: "the audit log: who changed or revealed what, when and from where (platform admins; team owners with --team)",
    hidden: false,
    group: "audit"
  },
  {
    name: "events",
    aliases: [],
    term: "events",
    description: "record a service's deployments, changes and incidents (for the DORA metrics); webhook secrets",
    hidden: false,
    group: "events"
  },
  {
    name: "metrics",
    aliases: [],
    term: "metrics",
    description: "the platform's own measures: DORA delivery metrics, product analytics, adoption, interventions, feedback",
    hidden: false,
    group: "metrics"
  },
  {
    name: "feedback",
    aliases: [],
    term: "feedback [options] <product>",
    description: "tell a product's team how it works for you: a score from 1 to 5 and a comment (asked in a terminal without --score)",
    hidden: false,
    group: "feedback"
  },
  {
    name: "help",
    aliases: [],
    term: "help [name] [message...]",
    description: "ask the team behind an instance's product for help (they see it with paved metrics help-requests); alone or with a command: usage help",
    hidden: false,
    group: "feedback"
  },
  {
    name: "keys",
    aliases: [],
    term: "keys",
    description: "the master keys that wrap every stored secret's data key (run where the servers run, with their PAVED_* settings)",
    hidden: false,
    group: "keys"
  },
  {
    name: "backup",
    aliases: [],
    term: "backup [options] <file>",
    description: "write the store, the embedded PostgreSQL cluster and a manifest into one archive, while Paved runs (never the master key)",
    hidden: false,
    group: "backup"
  },
  {
    name: "restore",
    aliases: [],
    term: "restore [options] <file>",
    description: "restore a paved backup into an empty data folder; then paved up serves every instance and secret again",
    hidden: false,
    group: "backup"
  },
  {
    name: "targets",
    aliases: [],
    term: "targets",
    description: "every configured target and its health from the driver's preflight (platform admins; never the target's config)",
    hidden: false,
    group: "targets"
  }
];
