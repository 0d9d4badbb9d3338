import { fastifyRequestContext, requestContext } from '@fastify/request-context';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditInterface, AuditSource } from '@paved/model';
import type { Principal } from '../access/principal.js';

/**
 * Where the request being served comes from, for anything it calls, however deep (the audit
 * log's explicit records: token issued, sign-in), without passing it through every service.
 * Held in AsyncLocalStorage by @fastify/request-context, which keeps it across body parsing.
 */
export interface RequestOrigin {
  requestId: string;
  source: AuditSource;
  /** The caller, once the bearer hook has authenticated them. */
  principal(): Principal | undefined;
}

declare module '@fastify/request-context' {
  interface RequestContextData {
    origin: RequestOrigin;
  }
}

/** The header the CLI and the portal name themselves in: `cli/0.1.0`, `portal/…`. */
export const CLIENT_HEADER = 'paved-client';
const USER_AGENT_MAX = 200;

export async function registerRequestContext(app: FastifyInstance): Promise<void> {
  await app.register(fastifyRequestContext, { defaultStoreValues: (request) => ({ origin: originOf(request) }) });
}

/** The origin of the request being served; undefined outside a request (`paved up`'s own actions). */
export function currentOrigin(): RequestOrigin | undefined {
  return requestContext.get('origin');
}

export function originOf(request: FastifyRequest): RequestOrigin {
  return { requestId: request.id, source: sourceOf(request), principal: () => request.principal ?? undefined };
}

/**
 * The client address as Fastify sees it (X-Forwarded-For is honoured only as far as the
 * server's trustProxy setting allows), the user agent, and the interface the caller claims.
 */
export function sourceOf(request: FastifyRequest): AuditSource {
  const userAgent = single(request.headers['user-agent'])?.slice(0, USER_AGENT_MAX);
  return { address: request.ip, ...(userAgent ? { userAgent } : {}), interface: interfaceOf(single(request.headers[CLIENT_HEADER])) };
}

function interfaceOf(header: string | undefined): AuditInterface {
  const name = header?.split('/')[0]?.trim().toLowerCase();
  return name === 'cli' || name === 'portal' ? name : 'api';
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
