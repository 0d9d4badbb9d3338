import type { FastifyRequest } from 'fastify';
import type { AuditInterface, AuditSource } from '@paved/model';
import type { Principal } from '../access/principal.js';

/**
 * Where a request comes from, for the audit log's explicit records (token issued, sign-in):
 * the route passes it to what it calls (originOf), as it passes the principal. Not held in
 * AsyncLocalStorage: on Node 20 one store entered turns on promise hooks for every promise the
 * process makes, the engine's and the store's too (bench/README.md §1, round 12).
 */
export interface RequestOrigin {
  requestId: string;
  source: AuditSource;
  /** The caller, once the bearer hook has authenticated them. */
  principal(): Principal | undefined;
}

/** The header the CLI and the portal name themselves in: `cli/0.1.0`, `portal/…`. */
export const CLIENT_HEADER = 'paved-client';
const USER_AGENT_MAX = 200;

/** The origin of `request`, made by a route that records one (not for every request). */
export function originOf(request: FastifyRequest): RequestOrigin {
  return { requestId: request.id, source: sourceOf(request), principal: () => request.principal ?? undefined };
}

/**
 * The client address as Fastify sees it (X-Forwarded-For is honoured only as far as the
 * server's trustProxy setting allows), the user agent, and the interface the caller claims.
 */
export function sourceOf(request: FastifyRequest): AuditSource {
  const userAgent = single(request.headers['user-agent'])?.slice(0, USER_AGENT_MAX);
  return { address: request.ip, ...(userAgent ? { userAgent } : {}), interface: requestInterfaceOf(request) };
}

/** The interface `request` came through (its `paved-client` header): what policies and provenance are given. */
export function requestInterfaceOf(request: FastifyRequest): AuditInterface {
  return interfaceOf(single(request.headers[CLIENT_HEADER]));
}

function interfaceOf(header: string | undefined): AuditInterface {
  const name = header?.split('/')[0]?.trim().toLowerCase();
  return name === 'cli' || name === 'portal' ? name : 'api';
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
