import { containerFiles, containerVolumes } from './mounts.js';
import type { ScoreContainer } from './types.js';

type Add = (path: string[], message: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const FILE_FIELDS = new Set(['target', 'mode', 'source', 'content', 'binaryContent', 'noExpand']);
const VOLUME_FIELDS = new Set(['target', 'source', 'path', 'readOnly']);
/** Score's port-name grammar (score-v1b1.json, service.ports). */
const PORT_NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

/** service.ports: each a name → { port, targetPort?, protocol? }, as score-v1b1.json has it. */
export function checkServicePorts(service: unknown, add: Add): void {
  if (service === undefined) return;
  if (!isObject(service)) return add(['service'], 'must be a mapping');
  for (const key of Object.keys(service)) if (key !== 'ports') add(['service', key], 'is not a service field (allowed: ports)');
  const ports = service.ports;
  if (ports === undefined) return;
  if (!isObject(ports)) return add(['service', 'ports'], 'must be a mapping of port names');
  for (const [name, port] of Object.entries(ports)) {
    const path = ['service', 'ports', name];
    if (!PORT_NAME.test(name)) add(path, 'is not a valid port name: lowercase letters, digits and "-", 2 to 63 characters');
    if (!isObject(port)) {
      add(path, 'must be a mapping with at least a port');
      continue;
    }
    for (const key of Object.keys(port)) if (!['port', 'targetPort', 'protocol'].includes(key)) add([...path, key], 'is not a port field (allowed: port, targetPort, protocol)');
    if (!isPort(port.port)) add([...path, 'port'], port.port === undefined ? 'is required (1 to 65535)' : 'must be an integer from 1 to 65535');
    if (port.targetPort !== undefined && !isPort(port.targetPort)) add([...path, 'targetPort'], 'must be an integer from 1 to 65535');
    if (port.protocol !== undefined && port.protocol !== 'TCP' && port.protocol !== 'UDP') add([...path, 'protocol'], 'must be TCP or UDP');
  }
}

/** A container's files and volumes, in the map form or Score's deprecated list form. */
export function checkMounts(containerName: string, container: ScoreContainer, add: Add): void {
  for (const field of ['files', 'volumes'] as const) {
    const value = container[field];
    if (value !== undefined && !isObject(value) && !Array.isArray(value)) add(['containers', containerName, field], 'must be a mapping of target paths (or a list)');
    if (!Array.isArray(value)) continue;
    value.forEach((item, index) => {
      const path = ['containers', containerName, field, String(index)];
      if (!isObject(item)) add(path, 'must be a mapping');
      else if (typeof item.target !== 'string' || item.target === '') add([...path, 'target'], 'is required in the list form (the path in the container)');
    });
  }
  for (const file of containerFiles(containerName, container)) {
    const spec = file.spec as unknown;
    if (!isObject(spec)) {
      add(file.path, 'must be a mapping with one of source, content or binaryContent');
      continue;
    }
    for (const key of Object.keys(spec)) if (!FILE_FIELDS.has(key)) add([...file.path, key], `is not a file field (allowed: ${[...FILE_FIELDS].join(', ')})`);
    const given = ['source', 'content', 'binaryContent'].filter((key) => spec[key] !== undefined);
    if (given.length !== 1) add(file.path, `must have exactly one of source, content or binaryContent${given.length > 1 ? ` (has ${given.join(', ')})` : ''}`);
    for (const key of given) if (typeof spec[key] !== 'string') add([...file.path, key], 'must be a string');
    if (spec.mode !== undefined && (typeof spec.mode !== 'string' || !/^0?[0-7]{3}$/.test(spec.mode))) add([...file.path, 'mode'], 'must be an octal mode such as "0644"');
    if (spec.noExpand !== undefined && typeof spec.noExpand !== 'boolean') add([...file.path, 'noExpand'], 'must be true or false');
  }
  for (const volume of containerVolumes(containerName, container)) {
    const spec = volume.spec as unknown;
    if (!isObject(spec)) {
      add(volume.path, 'must be a mapping with a source');
      continue;
    }
    for (const key of Object.keys(spec)) if (!VOLUME_FIELDS.has(key)) add([...volume.path, key], `is not a volume field (allowed: ${[...VOLUME_FIELDS].join(', ')})`);
    if (typeof spec.source !== 'string' || spec.source === '') add([...volume.path, 'source'], 'is required (a volume resource: ${resources.NAME})');
    if (spec.path !== undefined && typeof spec.path !== 'string') add([...volume.path, 'path'], 'must be a string');
    if (spec.readOnly !== undefined && typeof spec.readOnly !== 'boolean') add([...volume.path, 'readOnly'], 'must be true or false');
  }
}
