import type { DriverError } from '@paved/model';
import { targetConfigError, type Target } from '@paved/driver-api';

/** A webhook target's settings, read from `target.config`. */
export interface WebhookTargetConfig {
  /** The automation's endpoint; every verb is a POST here. */
  url: string;
  /** Shared HMAC secret; signs requests and authenticates callbacks. Never logged. */
  secret: string;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs: number;
  /** Paved's public base URL, from which each request's callbackUrl is built; absent: synchronous only. */
  callbackBaseUrl?: string;
  /** The endpoint without credentials or query string, safe for messages. */
  display: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Short secrets are guessable offline from one signed request; 32 characters is 128+ bits of hex. */
export const MIN_SECRET_LENGTH = 32;

export function readTargetConfig(target: Target): WebhookTargetConfig {
  const { url, secret, timeout, callbackBaseUrl } = target.config;
  if (typeof url !== 'string' || url === '') throw invalid(target, 'config.url', 'is required (https://automation.example.com/paved)');
  const parsed = parseHttpUrl(url);
  if (!parsed) throw invalid(target, 'config.url', 'must be an http:// or https:// URL');
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw invalid(target, 'config.secret', `is required: a shared signing secret of at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`);
  }
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout);
  if (timeoutMs === undefined || timeoutMs < 1 || timeoutMs > 600_000) {
    throw invalid(target, 'config.timeout', 'must be a duration between 1ms and 10m (e.g. 30s, 1500ms or a number of ms)');
  }
  let callback: string | undefined;
  if (callbackBaseUrl !== undefined) {
    const base = typeof callbackBaseUrl === 'string' ? parseHttpUrl(callbackBaseUrl) : undefined;
    if (!base) throw invalid(target, 'config.callbackBaseUrl', "must be Paved's public http(s) base URL (e.g. https://paved.example.com)");
    callback = base.toString().replace(/\/+$/, '');
  }
  return { url, secret, timeoutMs, ...(callback ? { callbackBaseUrl: callback } : {}), display: displayUrl(parsed) };
}

/** The callback address the automation POSTs to when it finishes asynchronously. */
export function callbackUrlFor(config: WebhookTargetConfig, instanceId: string): string | undefined {
  return config.callbackBaseUrl ? `${config.callbackBaseUrl}/api/v1/callbacks/webhook/${encodeURIComponent(instanceId)}` : undefined;
}

function parseHttpUrl(value: string): URL | undefined {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Userinfo and query strings may carry tokens, so messages show only origin and path. */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2] === 'm' ? n * 60_000 : match[2] === 's' ? n * 1000 : n;
}

function invalid(target: Target, path: string, message: string): DriverError {
  return targetConfigError('webhook', target, { path, message });
}
