import { findServicePort, reachablePort, type Environment, type ScoreProblem, type ScoreServicePort } from '@paved/model';
import { fillPattern, routerOrigin, type ScoreTargetConfig } from './score-target.js';

/**
 * Score's common resource types, served by Paved itself on a platform without containers
 * (products with driver `score`, named after the type). Their outputs follow from what the
 * platform knows when a workload is applied, so they are worked out here, recorded in the
 * instance's values (`resolved`), and handed out by the driver. docs/workloads.md says what each is.
 */
/** The driver of Paved's built-in Score types. */
export const SCORE_DRIVER = 'score';

export const BUILT_IN_KINDS = ['environment', 'service', 'service-port', 'dns', 'route', 'volume'] as const;
export type BuiltInKind = (typeof BUILT_IN_KINDS)[number];

export const isBuiltInKind = (name: string): name is BuiltInKind => (BUILT_IN_KINDS as readonly string[]).includes(name);

export interface BuiltInInput {
  kind: BuiltInKind;
  team: string;
  /** The service applying, or for a shared resource its id. */
  service: string;
  environment: Environment;
  /** The resource's name in the file (its id for a shared one). */
  resource: string;
  /** The instance's name: a volume's source. */
  instance: string;
  /** The resource's params, placeholders filled in. */
  params: Record<string, unknown>;
  target: ScoreTargetConfig;
  /** The applying workload's own ports (a route's target). */
  ownPorts: Readonly<Record<string, ScoreServicePort>>;
  /** The ports each workload of the team published in the environment, by service name. */
  workloads: ReadonlyMap<string, Readonly<Record<string, ScoreServicePort>>>;
  /** The service's own config values in the environment. */
  config: Readonly<Record<string, string>>;
}

export interface BuiltInResolution {
  resolved: Record<string, string>;
  /** What the outputs still wait for; the instance stays provisioning until then. */
  waitingFor?: string;
  /** Relative to the resource's params (['host'], ['port']) or [] for the resource. */
  problems: ScoreProblem[];
  notes: string[];
}

/** The outputs of one built-in resource. Pure: everything it needs is in `input`. */
export function resolveBuiltIn(input: BuiltInInput): BuiltInResolution {
  const out: BuiltInResolution = { resolved: {}, problems: [], notes: [] };
  switch (input.kind) {
    case 'environment':
      out.resolved = { ...input.environment.variables, ...input.config };
      break;
    case 'dns': {
      const host = fillPattern(input.target.hostname, { service: input.service, team: input.team, environment: input.environment.name, domain: input.target.domain });
      out.resolved = { host, url: routerOrigin(input.target, host) };
      break;
    }
    case 'volume':
      out.resolved = { source: input.instance, name: input.instance, type: 'volume' };
      break;
    case 'route':
      resolveRoute(input, out);
      break;
    case 'service':
    case 'service-port':
      resolveEndpoint(input, out);
      break;
  }
  return out;
}

function workloadHost(input: BuiltInInput, service: string): string {
  return fillPattern(input.target.workloadHost, { service, team: input.team, environment: input.environment.name, domain: input.target.domain });
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function resolveRoute(input: BuiltInInput, out: BuiltInResolution): void {
  const { host, path, port } = input.params as { host: string; path: string; port: string | number };
  if (!HOSTNAME.test(host)) out.problems.push({ path: ['host'], message: `${JSON.stringify(host)} is not a hostname (lowercase letters, digits, "-" and ".")` });
  if (!path.startsWith('/') || (path.length > 1 && path.endsWith('/'))) out.problems.push({ path: ['path'], message: 'must start with "/" and not end with "/" (unless it is "/")' });
  else {
    try {
      new RegExp(path);
    } catch {
      out.problems.push({ path: ['path'], message: `${JSON.stringify(path)} is not a valid regular expression (score-compose matches paths as expressions)` });
    }
  }
  const found = findServicePort(input.ownPorts, port);
  if (!found) {
    const names = Object.keys(input.ownPorts);
    out.problems.push({ path: ['port'], message: names.length === 0 ? 'the workload publishes no ports: add service.ports to the file' : `${JSON.stringify(port)} is no port of this workload (service.ports: ${names.join(', ')})` });
  }
  if (out.problems.length > 0) return;
  out.resolved = { host, path, url: `${routerOrigin(input.target, host)}${path}`, target: `http://${workloadHost(input, input.service)}:${reachablePort(found!.port)}` };
}

/**
 * `service` (a workload named by the resource, as Score's community provisioner has it) and
 * `service-port` (score-compose's and score-k8s's: params.workload and params.port, both needed).
 */
function resolveEndpoint(input: BuiltInInput, out: BuiltInResolution): void {
  const params = input.params as { workload?: string; port?: string | number };
  // Score's community provisioner names the workload after the resource's id's last part.
  const workload = params.workload ?? input.resource.split('.').pop()!;
  const host = workloadHost(input, workload);
  out.resolved = input.kind === 'service' ? { name: host, host } : { hostname: host, host };
  const ports = input.workloads.get(workload);
  const explicit = params.port !== undefined;
  if (!ports) {
    if (input.kind === 'service-port' || explicit) out.waitingFor = `workload ${workload} to be applied in ${input.environment.name} (its service.ports give the port)`;
    else out.notes.push(`workload ${workload} is not applied in ${input.environment.name} yet: its port and url are filled in when it is`);
    return;
  }
  const found = findServicePort(ports, params.port);
  if (!found) {
    const names = Object.keys(ports);
    if (explicit || input.kind === 'service-port') {
      out.problems.push({ path: ['port'], message: `${JSON.stringify(params.port)} is no port of workload ${workload} in ${input.environment.name} (its service.ports: ${names.join(', ') || 'none'})` });
    } else if (names.length > 1) {
      out.notes.push(`workload ${workload} publishes several ports (${names.join(', ')}): name one in params.port to get its port and url`);
    }
    return;
  }
  const port = String(reachablePort(found.port));
  out.resolved = { ...out.resolved, port, url: `http://${host}:${port}` };
}
