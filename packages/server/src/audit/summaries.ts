/**
 * What an audit record keeps of a request: the target (from the route's path parameters, and a
 * few body fields that name what is created) and a small summary. By allowlist, never by
 * denylist: a body field is kept only when it is named below for its operation, and only if it
 * is a plain value (a string, number or boolean). Of free-form maps (an instance's inputs, an
 * environment's policies) only the keys are kept; of an operation not listed here, only the
 * names of its body's fields. Credentials, tokens, passwords and the bodies of secret routes
 * never appear; a last pass blanks anything shaped like a Paved token wherever it came from.
 */

/** Path parameters that name what a request acts on. */
const TARGET_PARAMS = ['team', 'instance', 'service', 'environment', 'product', 'version', 'user', 'token', 'template', 'policy', 'approval'] as const;

interface OperationSummary {
  /** Body fields kept as they are (dotted paths into the body). */
  fields?: readonly string[];
  /** Body fields (maps) of which only the keys are kept. */
  keysOf?: readonly string[];
  /** Target parts taken from the body: what the request creates. */
  target?: Readonly<Record<string, string>>;
  /** The body field that names the team the action is for. */
  team?: string;
}

const OPERATIONS: Readonly<Record<string, OperationSummary>> = {
  createUser: { fields: ['name', 'admin'], target: { user: 'name' } },
  updateUser: { fields: ['disabled'] },
  createToken: { fields: ['name', 'expiresInDays', 'readOnly', 'team'] },
  revokeToken: {},
  createTeam: { fields: ['name', 'title', 'platform'], target: { team: 'name' }, team: 'name' },
  updateTeam: { fields: ['title', 'platform'] },
  setMembership: { fields: ['role'] },
  removeMember: {},
  createEnvironment: { fields: ['name'], keysOf: ['targetSelector', 'policies'], target: { environment: 'name' } },
  updateEnvironment: { keysOf: ['targetSelector', 'policies'] },
  createService: { fields: ['name', 'lifecycle', 'system', 'repositoryUrl'], target: { service: 'name' } },
  updateService: { fields: ['lifecycle', 'system', 'repositoryUrl'] },
  deleteService: {},
  publishProduct: {
    fields: ['metadata.name', 'metadata.owner', 'spec.version', 'spec.driver'],
    target: { product: 'metadata.name', version: 'spec.version' },
    team: 'metadata.owner',
  },
  transferProduct: { fields: ['owner'] },
  createInstance: { fields: ['name', 'product', 'version', 'plan', 'environment', 'dryRun'], keysOf: ['inputs'], target: { instance: 'name' } },
  updateInstance: { fields: ['version', 'plan', 'dryRun'], keysOf: ['inputs'] },
  applyPolicy: {
    fields: ['metadata.name', 'metadata.owner', 'spec.version', 'spec.action'],
    target: { policy: 'metadata.name', version: 'spec.version' },
    team: 'metadata.owner',
  },
  approveRequest: { fields: ['reason'] },
  denyRequest: { fields: ['reason'] },
  deleteInstance: {},
  // The credentials are in the response, never read here; the request body says nothing.
  // The instance by its path, or, for the reveal on a create's stream (`?wait=ready&reveal=true`), by the create's body.
  revealCredentials: { target: { instance: 'name' } },
  rotateInstance: {},
  applyWorkload: { fields: ['dryRun', 'score.metadata.name'] },
  pruneLogs: {},
  importBackstage: { fields: ['dryRun'] },
  // Upgrades and rollouts (docs/rollouts.md): which version, and how a rollout goes.
  upgradeInstance: { fields: ['to', 'dryRun', 'allowDowngrade'] },
  holdInstance: { fields: ['reason'] },
  unholdInstance: {},
  startRollout: { fields: ['to', 'canaryPercent', 'batchGrowth', 'soakSeconds', 'readyTimeoutSeconds'] },
};

const MAX_STRING = 200;
/** A Paved API token (`pvd_` + 43 base64url characters), or anything that starts like one. */
const TOKEN_LIKE = /pvd_[A-Za-z0-9_-]{16,}/g;

export interface RequestDescription {
  team?: string;
  target?: Record<string, string>;
  summary?: Record<string, unknown>;
}

/**
 * The target, team and summary of a request to `operationId`, from its (possibly unvalidated)
 * params and body, as given: not scrubbed. Its caller (the recorder's entryFor) scrubs the whole
 * record it goes into, which holds other outside values too.
 */
export function describeRequest(operationId: string, params: unknown, body: unknown): RequestDescription {
  const operation = OPERATIONS[operationId];
  const target: Record<string, string> = {};
  const given = isObject(params) ? params : {};
  for (const name of TARGET_PARAMS) {
    if (typeof given[name] === 'string') target[name] = given[name];
  }
  const summary: Record<string, unknown> = {};
  if (!operation) {
    if (isObject(body)) summary.fields = Object.keys(body).slice(0, 20);
  } else {
    for (const path of operation.fields ?? []) {
      const value = at(body, path);
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') summary[path] = value;
    }
    for (const path of operation.keysOf ?? []) {
      const value = at(body, path);
      if (isObject(value)) summary[`${path}.keys`] = Object.keys(value).slice(0, 50);
    }
    for (const [part, path] of Object.entries(operation.target ?? {})) {
      const value = at(body, path);
      if (typeof value === 'string' && target[part] === undefined) target[part] = value;
    }
  }
  const teamFromBody = operation?.team === undefined ? undefined : at(body, operation.team);
  const team = target.team ?? (typeof teamFromBody === 'string' ? teamFromBody : undefined);
  return {
    ...(team === undefined ? {} : { team }),
    ...(Object.keys(target).length > 0 ? { target } : {}),
    ...(Object.keys(summary).length > 0 ? { summary } : {}),
  };
}

/**
 * Every string cut to 200 characters, and anything shaped like a Paved token blanked: the last
 * line of defence for values that came from outside (a token pasted into a path, a user agent).
 */
export function scrub<T>(value: T): T {
  if (typeof value === 'string') {
    const cut = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    // Nearly every string holds no `pvd_`: not run through the expression (and its copy) then.
    return (cut.includes('pvd_') ? cut.replace(TOKEN_LIKE, 'pvd_[redacted]') : cut) as T;
  }
  if (Array.isArray(value)) return value.map(scrub) as T;
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [scrub(key), scrub(child)])) as T;
  }
  return value;
}

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  // A raw body (a webhook's Buffer) has no fields: listing its keys walked every byte (bench/README.md §6).
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}
