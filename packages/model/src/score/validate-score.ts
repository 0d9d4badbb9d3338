import { isValidName } from '../names.js';
import { scoreError, type ScoreProblem } from './score-errors.js';
import { SCORE_API_VERSION, type ScoreContainer, type ScoreLocator, type ScoreWorkload } from './types.js';
import { checkMounts, checkServicePorts } from './validate-mounts.js';

const TOP_LEVEL = new Set(['apiVersion', 'metadata', 'containers', 'service', 'resources']);
const RESOURCE_FIELDS = new Set(['type', 'class', 'id', 'metadata', 'params']);
/** Score's resource-name and id grammar (score-v1b1.json): lowercase DNS-ish labels, dots allowed in ids. */
const RESOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$|^[a-z0-9]$/;
const RESOURCE_ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a Score document (as parsed from YAML or received as JSON) against the subset of
 * score.dev/v1b1 that Paved uses, reporting every problem at once. Scalar variable values
 * (numbers, booleans) are turned into strings, as a shell would see them. Returns a copy.
 */
export function validateScoreDocument(value: unknown, locate?: ScoreLocator, file?: string): ScoreWorkload {
  const problems: ScoreProblem[] = [];
  const add = (path: string[], message: string) => problems.push({ path, message });
  if (!isObject(value)) throw scoreError([{ path: [], message: 'must be a mapping (a Score workload document)' }], locate, file);
  const doc = structuredClone(value);

  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) add([key], `is not a Score field (allowed: ${[...TOP_LEVEL].join(', ')})`);
  }
  if (doc.apiVersion !== SCORE_API_VERSION) {
    add(['apiVersion'], doc.apiVersion === undefined ? `is required (${SCORE_API_VERSION})` : `must be ${SCORE_API_VERSION} (got ${JSON.stringify(doc.apiVersion)})`);
  }
  checkMetadata(doc.metadata, add);
  checkContainers(doc.containers, add);
  checkServicePorts(doc.service, add);
  checkResources(doc.resources, add);

  if (problems.length > 0) throw scoreError(problems, locate, file);
  return doc as unknown as ScoreWorkload;
}

type Add = (path: string[], message: string) => void;

function checkMetadata(metadata: unknown, add: Add): void {
  if (!isObject(metadata)) return add(['metadata'], metadata === undefined ? 'is required' : 'must be a mapping');
  if (metadata.name === undefined) add(['metadata', 'name'], 'is required');
  else if (!isValidName(metadata.name)) {
    add(['metadata', 'name'], `${JSON.stringify(metadata.name)} is not a valid service name: lowercase letters, digits and "-", starting with a letter, at most 40 characters`);
  }
  if (metadata.annotations !== undefined) {
    if (!isObject(metadata.annotations)) add(['metadata', 'annotations'], 'must be a mapping of strings');
    else for (const [key, v] of Object.entries(metadata.annotations)) if (typeof v !== 'string') add(['metadata', 'annotations', key], 'must be a string');
  }
}

function checkContainers(containers: unknown, add: Add): void {
  if (!isObject(containers)) return add(['containers'], containers === undefined ? 'is required (at least one container)' : 'must be a mapping of container names');
  if (Object.keys(containers).length === 0) add(['containers'], 'must name at least one container');
  for (const [name, container] of Object.entries(containers)) {
    const path = ['containers', name];
    if (!isObject(container)) {
      add(path, 'must be a mapping');
      continue;
    }
    if (typeof container.image !== 'string' || container.image === '') add([...path, 'image'], 'is required (a container image, or "." for the one built from this repository)');
    checkMounts(name, container as ScoreContainer, add);
    const variables = container.variables;
    if (variables === undefined) continue;
    if (!isObject(variables)) {
      add([...path, 'variables'], 'must be a mapping of names to strings');
      continue;
    }
    for (const [key, v] of Object.entries(variables)) {
      if (typeof v === 'number' || typeof v === 'boolean') variables[key] = String(v);
      else if (typeof v !== 'string') add([...path, 'variables', key], 'must be a string');
    }
  }
}

function checkResources(resources: unknown, add: Add): void {
  if (resources === undefined) return;
  if (!isObject(resources)) return add(['resources'], 'must be a mapping of resource names');
  for (const [name, resource] of Object.entries(resources)) {
    const path = ['resources', name];
    if (!RESOURCE_NAME.test(name)) add(path, 'is not a valid resource name: lowercase letters, digits and "-", at most 63 characters');
    if (!isObject(resource)) {
      add(path, 'must be a mapping with at least a type');
      continue;
    }
    for (const key of Object.keys(resource)) if (!RESOURCE_FIELDS.has(key)) add([...path, key], `is not a resource field (allowed: ${[...RESOURCE_FIELDS].join(', ')})`);
    if (typeof resource.type !== 'string' || resource.type === '') add([...path, 'type'], 'is required (the product to use, e.g. postgres)');
    if (resource.class !== undefined && (typeof resource.class !== 'string' || resource.class === '')) add([...path, 'class'], 'must be a non-empty string (a plan of the product)');
    if (resource.id !== undefined && (typeof resource.id !== 'string' || !RESOURCE_ID.test(resource.id))) {
      add([...path, 'id'], 'must be lowercase letters, digits, "-" and "." (a shared resource id)');
    }
    if (resource.metadata !== undefined && !isObject(resource.metadata)) add([...path, 'metadata'], 'must be a mapping');
    if (resource.params !== undefined && !isObject(resource.params)) add([...path, 'params'], 'must be a mapping (the product\'s inputs)');
  }
}
