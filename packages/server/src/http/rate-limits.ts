import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { QuotaError } from '@paved/model';
import { FixedWindows } from './fixed-windows.js';

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
  /**
   * Throws 429 `auth_rate_limited` when the caller's address is over its failures, before its token is looked at.
   * Undefined (nothing to wait for) when the address has not failed in the last minute: most callers.
   */
  check(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined;
  /** Counts a failed authentication; throws 429 when that was one too many. */
  failed(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export interface RateLimiters {
  /** onRequest hook, after authentication: counts the request against its token. */
  perToken: onRequestHookHandler;
  authFailures: AuthFailureGuard;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Rate limits in process memory (each API process counts its own). Per token for authenticated
 * requests, so one runaway script cannot starve the others: a fixed window per token
 * (FixedWindows), counted without a promise on every request. Per client address for failed
 * authentications, with @fastify/rate-limit, so guessing tokens is throttled: once an address
 * has failed too often in a minute, every request from it is refused until the minute is over,
 * before its token is even looked at (a correct guess must not be told apart from a wrong one).
 * Only an address that failed within the last minute is looked up before its token is: the
 * others (every caller with a working token) cannot be over the limit.
 * Health and readiness are never limited: they are outside /api/v1.
 */
export async function rateLimits(app: FastifyInstance, limits: RateLimits): Promise<RateLimiters> {
  await app.register(rateLimit, { global: false });
  const failures = app.createRateLimit({ max: limits.authFailuresPerMinute, timeWindow: MINUTE_MS, keyGenerator: (request) => `auth:${request.ip}` });
  // Addresses with a failure in the current minute, and when their window ends at the latest.
  const failedRecently = new Map<string, number>();

  const refuse = (reply: FastifyReply, ttlMs: number): never => {
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    reply.header('retry-after', seconds);
    throw new QuotaError(
      `Too many failed sign-ins from this address: at most ${limits.authFailuresPerMinute} a minute; retry in ${seconds} s (retry-after)`,
      { code: 'auth_rate_limited' },
    );
  };
  return {
    perToken: limits.requestsPerHour > 0 ? perTokenLimit(limits.requestsPerHour) : (_request, _reply, done) => done(),
    authFailures: {
      check(request, reply) {
        const until = failedRecently.get(request.ip);
        if (until === undefined) return undefined;
        if (until <= Date.now()) {
          failedRecently.delete(request.ip);
          return undefined;
        }
        return failures(request, { increment: false }).then((state) => {
          if (!state.isAllowed && state.isExceeded) refuse(reply, state.ttl);
        });
      },
      async failed(request, reply) {
        const state = await failures(request);
        if (!failedRecently.has(request.ip) && failedRecently.size >= FAILED_ADDRESSES_KEPT) makeRoom(failedRecently);
        failedRecently.set(request.ip, Date.now() + (state.isAllowed ? MINUTE_MS : state.ttl));
        if (!state.isAllowed && state.isExceeded) refuse(reply, state.ttl);
      },
    },
  };
}

/**
 * Addresses remembered as failed at most: past that the expired go, then the oldest (one
 * forgotten is looked up again after its next failure; the limiter's own LRU keeps 5,000 too).
 */
const FAILED_ADDRESSES_KEPT = 5_000;

function makeRoom(until: Map<string, number>): void {
  const now = Date.now();
  for (const [address, end] of until) if (end <= now) until.delete(address);
  if (until.size >= FAILED_ADDRESSES_KEPT) until.delete(until.keys().next().value!);
}

/** onRequest hook: counts the request against its token, says what is left, and refuses it (429) past `max` an hour. */
function perTokenLimit(max: number): onRequestHookHandler {
  const windows = new FixedWindows(HOUR_MS);
  return (request, reply, done) => {
    const { count, ttlMs } = windows.take(`token:${request.principal?.token.id ?? request.ip}`);
    const seconds = Math.ceil(ttlMs / 1000);
    reply.header('x-ratelimit-limit', max);
    reply.header('x-ratelimit-reset', seconds);
    if (count <= max) {
      reply.header('x-ratelimit-remaining', max - count);
      done();
      return;
    }
    reply.header('x-ratelimit-remaining', 0);
    reply.header('retry-after', seconds);
    done(new QuotaError(`Too many requests for this token: at most ${max} an hour; retry in ${seconds} s (retry-after)`, { code: 'rate_limited' }));
  };
}
