import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { QuotaError } from '@paved/model';

/** How many requests a caller may make (docs/api.md "Rate limits"). */
export interface RateLimits {
  /** Requests per hour per API token, on every /api/v1 route. 0: no limit. Default 7200. */
  requestsPerHour: number;
  /** Failed authentications per minute per client address before it is refused outright. Default 30. */
  authFailuresPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerHour: 7200, authFailuresPerMinute: 30 };

/** Blocks an address that keeps presenting tokens that do not work; see `rateLimits`. */
export interface AuthFailureGuard {
  /** Throws 429 `auth_rate_limited` when the caller's address is over its failures, before its token is looked at. */
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts a failed authentication; throws 429 when that was one too many. */
  failed(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export interface RateLimiters {
  /** onRequest hook, after authentication: counts the request against its token. */
  perToken: onRequestAsyncHookHandler;
  authFailures: AuthFailureGuard;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Rate limits with @fastify/rate-limit, in process memory (each API process counts its own).
 * Per token for authenticated requests, so one runaway script cannot starve the others; per
 * client address for failed authentications, so guessing tokens is throttled: once an address
 * has failed too often in a minute, every request from it is refused until the minute is over,
 * before its token is even looked at (a correct guess must not be told apart from a wrong one).
 * Health and readiness are never limited: they are outside /api/v1.
 */
export async function rateLimits(app: FastifyInstance, limits: RateLimits): Promise<RateLimiters> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new QuotaError(
      `Too many requests for this token: at most ${context.max} an hour; retry in ${Math.ceil(context.ttl / 1000)} s (retry-after)`,
      { code: 'rate_limited' },
    ),
  });
  const perToken = limits.requestsPerHour > 0
    ? app.rateLimit({ max: limits.requestsPerHour, timeWindow: HOUR_MS, keyGenerator: (request) => `token:${request.principal?.token.id ?? request.ip}` })
    : async () => {};
  const failures = app.createRateLimit({ max: limits.authFailuresPerMinute, timeWindow: MINUTE_MS, keyGenerator: (request) => `auth:${request.ip}` });

  const refuse = (reply: FastifyReply, ttlMs: number): never => {
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    reply.header('retry-after', seconds);
    throw new QuotaError(
      `Too many failed sign-ins from this address: at most ${limits.authFailuresPerMinute} a minute; retry in ${seconds} s (retry-after)`,
      { code: 'auth_rate_limited' },
    );
  };
  return {
    perToken: perToken as onRequestAsyncHookHandler,
    authFailures: {
      async check(request, reply) {
        const state = await failures(request, { increment: false });
        if (!state.isAllowed && state.isExceeded) refuse(reply, state.ttl);
      },
      async failed(request, reply) {
        const state = await failures(request);
        if (!state.isAllowed && state.isExceeded) refuse(reply, state.ttl);
      },
    },
  };
}
