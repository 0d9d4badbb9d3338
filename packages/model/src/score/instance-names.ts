import { nodeCrypto } from '../lazy-deps.js';
import { isValidName, NAME_MAX_LENGTH } from '../names.js';

/**
 * The instance name a workload's resource gets in an environment: `<service>-<resource>-<env>`
 * when that is a valid name, otherwise the same shortened (or cleaned) with a 6-hex hash of the
 * full triple, so the name stays deterministic and distinct. A shared resource (`id`) is named
 * `<id>-<env>` the same way, so every workload naming that id finds the same instance.
 */
export function workloadInstanceName(service: string, resource: string, environment: string): string {
  return fitName(`${service}-${resource}`, environment, `${service}/${resource}/${environment}`);
}

export function sharedInstanceName(id: string, environment: string): string {
  return fitName(id, environment, `shared/${id}/${environment}`);
}

function fitName(base: string, environment: string, key: string): string {
  const plain = `${base}-${environment}`;
  if (isValidName(plain)) return plain;
  const hash = nodeCrypto().createHash('sha256').update(key).digest('hex').slice(0, 6);
  const tail = `-${hash}-${environment}`;
  let head = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  if (!/^[a-z]/.test(head)) head = `r${head}`;
  head = head.slice(0, Math.max(1, NAME_MAX_LENGTH - tail.length)).replace(/-+$/, '');
  return `${head}${tail}`;
}
