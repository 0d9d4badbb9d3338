import { DriverError } from '@paved/model';
import { errorLine } from '@paved/driver-api';
import type { RabbitmqTargetConfig } from './target-config.js';
import { nodeHttpCall, type HttpAnswer, type HttpCall } from './http-call.js';

export type { Fetch } from './http-call.js';

export interface UserRecord {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  tags: string[] | string;
}

export interface PermissionRecord {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

/** Full rights inside the tenant's own vhost: that vhost is the whole isolation boundary. */
export const FULL_PERMISSIONS = { configure: '.*', write: '.*', read: '.*' } as const;

const TIMEOUT_MS = 10_000;

/**
 * A thin client of the RabbitMQ management HTTP API for one target. Every path segment is
 * percent-encoded (a vhost may contain '/'). DELETE of a missing object (404) is success, so
 * every deletion is idempotent. Errors are DriverErrors naming the step and the subject; the
 * admin's credentials live only in the Authorization header and never reach a message.
 */
export class ManagementApi {
  constructor(
    readonly config: RabbitmqTargetConfig,
    /** How a call goes out: node:http by default; a test's watching fetch through `fetchCall`. */
    readonly call: HttpCall = nodeHttpCall,
  ) {}

  getVhost(step: string, vhost: string): Promise<object | undefined> {
    return this.get(step, vhost, `/api/vhosts/${enc(vhost)}`);
  }
  /** Creates or updates the vhost; true when this call created it (201; 204 when it was there). */
  async putVhost(step: string, vhost: string, description: string): Promise<boolean> {
    return (await this.send(step, vhost, 'PUT', `/api/vhosts/${enc(vhost)}`, { description })) === 201;
  }
  async deleteVhost(step: string, vhost: string): Promise<void> {
    await this.send(step, vhost, 'DELETE', `/api/vhosts/${enc(vhost)}`);
  }
  async getVhostLimits(step: string, vhost: string): Promise<Record<string, number>> {
    const entries = await this.get<{ value: Record<string, number> }[]>(step, vhost, `/api/vhost-limits/${enc(vhost)}`);
    return entries?.[0]?.value ?? {};
  }
  /**
   * Sets the vhost's limits to exactly `limits`, in one PUT of the runtime parameter the broker
   * keeps them in (what `rabbitmqctl set_vhost_limits` does). The per-limit route
   * (`/api/vhost-limits/x/name`) rewrites that parameter from what it read, so two of them at
   * once lose one; this replaces it whole, any limit not named included.
   */
  async setVhostLimits(step: string, vhost: string, limits: Record<string, number>): Promise<void> {
    await this.send(step, vhost, 'PUT', `/api/parameters/vhost-limits/${enc(vhost)}/limits`, { value: limits });
  }
  /** Removes every limit of the vhost (gone already is fine). */
  async clearVhostLimits(step: string, vhost: string): Promise<void> {
    await this.send(step, vhost, 'DELETE', `/api/parameters/vhost-limits/${enc(vhost)}/limits`);
  }
  listVhosts(step: string): Promise<{ name: string }[] | undefined> {
    return this.get(step, 'vhosts', '/api/vhosts?columns=name');
  }

  getUser(step: string, user: string): Promise<UserRecord | undefined> {
    return this.get(step, user, `/api/users/${enc(user)}`);
  }
  async listUserNames(step: string, subject: string): Promise<string[]> {
    const users = await this.get<{ name: string }[]>(step, subject, '/api/users?columns=name');
    return (users ?? []).map((user) => user.name);
  }
  async putUser(step: string, user: string, passwordHash: string, hashingAlgorithm: string): Promise<void> {
    // tags '' = no management access: the tenant speaks AMQP only and cannot list the broker.
    await this.send(step, user, 'PUT', `/api/users/${enc(user)}`, { password_hash: passwordHash, hashing_algorithm: hashingAlgorithm, tags: '' });
  }
  async deleteUser(step: string, user: string): Promise<void> {
    await this.send(step, user, 'DELETE', `/api/users/${enc(user)}`);
  }

  getPermissions(step: string, vhost: string, user: string): Promise<PermissionRecord | undefined> {
    return this.get(step, user, `/api/permissions/${enc(vhost)}/${enc(user)}`);
  }
  async listVhostPermissions(step: string, vhost: string): Promise<PermissionRecord[]> {
    return (await this.get<PermissionRecord[]>(step, vhost, `/api/vhosts/${enc(vhost)}/permissions`)) ?? [];
  }
  async putPermissions(step: string, vhost: string, user: string): Promise<void> {
    await this.send(step, user, 'PUT', `/api/permissions/${enc(vhost)}/${enc(user)}`, FULL_PERMISSIONS);
  }
  async deletePermissions(step: string, vhost: string, user: string): Promise<void> {
    await this.send(step, user, 'DELETE', `/api/permissions/${enc(vhost)}/${enc(user)}`);
  }

  whoami(step: string): Promise<{ name: string; tags: string[] | string } | undefined> {
    return this.get(step, this.config.adminUser, '/api/whoami');
  }
  overview(step: string): Promise<{ rabbitmq_version?: string; management_version?: string } | undefined> {
    return this.get(step, this.config.display, '/api/overview');
  }

  /** GET: the parsed body, or undefined on 404. */
  async get<T>(step: string, subject: string, path: string): Promise<T | undefined> {
    const answer = await this.request(step, subject, 'GET', path);
    if (answer.status === 404) return undefined;
    return JSON.parse(answer.text) as T;
  }

  /** PUT or DELETE: the response's status. */
  private async send(step: string, subject: string, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<number> {
    return (await this.request(step, subject, method, path, body)).status;
  }

  private async request(step: string, subject: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    let response: HttpAnswer;
    try {
      response = await this.call({
        method,
        url: `${this.config.managementUrl}${path}`,
        headers: { authorization: this.config.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // Not the reconcile's signal: an HTTP call is one step and runs to its end or times out.
        timeoutMs: TIMEOUT_MS,
      });
    } catch (error) {
      const reason = networkReason(error);
      throw new DriverError(`rabbitmq: ${step} failed for "${subject}": cannot reach the management API at ${this.config.managementUrl} (${reason})`, {
        cause: error,
        retryable: true,
        code: 'rabbitmq_unreachable',
      });
    }
    if ((response.status >= 200 && response.status < 300) || (response.status === 404 && (method === 'GET' || method === 'DELETE'))) return response;
    const reason = errorReason(response);
    const status = response.status;
    const hint = status === 401 ? ` (user "${this.config.adminUser}" was refused: check the credentials in config.managementUrl)` : '';
    throw new DriverError(`rabbitmq: ${step} failed for "${subject}": HTTP ${status} ${reason}${hint}`, {
      retryable: status >= 500 || status === 408 || status === 429,
      code: status === 401 || status === 403 ? 'permission_denied' : 'rabbitmq_failed',
    });
  }
}

const enc = (segment: string): string => encodeURIComponent(segment);

function networkReason(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  return err.cause?.code ?? err.cause?.message ?? err.message ?? 'network error';
}

/** The broker's own one-line reason; it never echoes a password (we only ever send hashes). */
function errorReason(response: HttpAnswer): string {
  try {
    const parsed = JSON.parse(response.text) as { reason?: unknown; error?: unknown };
    const reason = parsed.reason ?? parsed.error;
    if (typeof reason === 'string') return errorLine(reason).slice(0, 200);
  } catch {
    // not JSON: fall through to the status text
  }
  return response.statusText;
}
