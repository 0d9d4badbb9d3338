import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { QuotaError } from '@paved/model';
import { FixedWindows } from './fixed-windows.js';

/** How many requests a caller may make (docs/api.md "Rate limits"). */
export interface RateLimits {
  /** Requests per hour per API token, on every /api/v1 route. 0: no limit. Default 7200. */
  requestsPerHour: number;
  /** Failed authentications per minute per client address before it is refused outright. Default 30. */
  authFailuresPerMinute: number;
  /** Sign-ins started (browser or device) per minute per client address. Default 60. */
  signInStartsPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerHour: 7200, authFailuresPerMinute: 30, signInStartsPerMinute: 60 };

/** Blocks an address that keeps presenting tokens that do not work; see `rateLimits`. */
export interface AuthFailureGuard {
  /** Throws 429 `auth_rate_limited` when the caller's address is over its failures, before its token is looked at. */
  check(request: FastifyRequest, reply: FastifyReply): void;
  /** Counts a failed authentication; throws 429 when that was one too many. */
  failed(request: FastifyRequest, reply: FastifyReply): void;
}

export interface RateLimiters {
  /** onRequest hook, after authentication: counts the request against its token. */
  perToken: onRequestHookHandler;
  authFailures: AuthFailureGuard;
  /**
   * Counts a sign-in started from the caller's address; throws 429 `sign_in_rate_limited` when
   * that was one too many. Each start stores a login for up to 30 minutes and a device start also
   * asks the identity provider, all without a token: this keeps an anonymous flood from doing either.
   */
  signInStart(request: FastifyRequest, reply: FastifyReply): void;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Rate limits in process memory (each API process counts its own), each a fixed window per key
 * (FixedWindows), counted without a promise. Per token for authenticated requests, so one runaway
 * script cannot starve the others. Per client address for failed authentications, so guessing
 * tokens is throttled: once an address has failed too often in a minute, every request from it is
 * refused until the minute is over, before its token is even looked at (a correct guess must not be
 * told apart from a wrong one). Health and readiness are never limited: they are outside /api/v1.
 *
 * The failures were counted by @fastify/rate-limit until round 6 (bench/README.md §9): the same
 * fixed window from an address's first failure, the same count past the limit, 5,000 addresses
 * kept; its plugin, ip-address and toad-cache were loaded by every `paved up` for this one count.
 */
export function rateLimits(limits: RateLimits): RateLimiters {
  const failures = new FixedWindows(MINUTE_MS, FAILED_ADDRESSES_KEPT);
  const starts = new FixedWindows(MINUTE_MS, FAILED_ADDRESSES_KEPT);
  const refuse = (reply: FastifyReply, ttlMs: number): never => {
    throw tooMany(reply, ttlMs, `Too many failed sign-ins from this address: at most ${limits.authFailuresPerMinute} a minute`, 'auth_rate_limited');
  };
  const key = (request: FastifyRequest) => `auth:${request.ip}`;
  return {
    perToken: limits.requestsPerHour > 0 ? perTokenLimit(limits.requestsPerHour) : (_request, _reply, done) => done(),
    authFailures: {
      check(request, reply) {
        const window = failures.peek(key(request));
        if (window !== undefined && window.count > limits.authFailuresPerMinute) refuse(reply, window.ttlMs);
      },
      failed(request, reply) {
        const window = failures.take(key(request));
        if (window.count > limits.authFailuresPerMinute) refuse(reply, window.ttlMs);
      },
    },
    signInStart(request, reply) {
      const window = starts.take(`sign-in:${request.ip}`);
      if (window.count > limits.signInStartsPerMinute) {
        throw tooMany(reply, window.ttlMs, `Too many sign-ins started from this address: at most ${limits.signInStartsPerMinute} a minute`, 'sign_in_rate_limited');
      }
    },
  };
}

/** A 429 of a per-address limit: retry-after (at least 1 s) in the header and the message. */
function tooMany(reply: FastifyReply, ttlMs: number, what: string, code: 'auth_rate_limited' | 'sign_in_rate_limited'): QuotaError {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  reply.header('retry-after', seconds);
  return new QuotaError(`${what}; retry in ${seconds} s (retry-after)`, { code });
}

/** Addresses whose failures (and, apart, sign-in starts) are counted at most: past that the expired go, then the oldest (as @fastify/rate-limit's 5,000). */
const FAILED_ADDRESSES_KEPT = 5_000;

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
