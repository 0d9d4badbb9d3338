import { UnavailableError } from '@paved/model';
import { errorFromResponse } from './problem.js';
import type { HttpRequest, HttpResponse } from './http-types.js';
import { defaultRequest } from '#default-request';

export type FetchLike = typeof fetch;

export interface TransportOptions {
  /** Base URL of the Paved server, e.g. http://127.0.0.1:7780 (a trailing slash is fine). */
  url: string;
  token?: string;
  /** Sends with this fetch; by default node:http under Node, the global fetch elsewhere. */
  fetch?: FetchLike;
  /** Sent as the Paved-Client header (the interface the audit log records). */
  client?: string;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  accept?: string;
}

// OpenSSL's verification failures, as Node reports them on the error (node:http) or its cause (fetch).
const TLS_ERROR_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED)$/;

/** The certificate-verification code somewhere in an error's causes; undefined when it is not one. */
function tlsErrorCode(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_ERROR_CODES.test(code)) return code;
  }
  return undefined;
}

/** Sends requests to one Paved server and turns failures into PavedErrors. */
export class Transport {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly request: HttpRequest;
  private readonly client: string | undefined;

  constructor(options: TransportOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.token = options.token;
    const fetchImpl = options.fetch;
    this.request = fetchImpl ? (url, init) => fetchImpl(url, init) : defaultRequest;
    this.client = options.client;
  }

  urlFor(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Sends a request and returns the raw response when it is 2xx; throws the mapped error otherwise. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.client) headers['paved-client'] = this.client;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: HttpResponse;
    try {
      response = await this.request(this.urlFor(path, options.query), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw this.networkError(error, options.signal);
    }
    if (!response.ok) throw await this.responseError(response);
    return response;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** An abort stays an abort (callers check signal.aborted); anything else means we never reached the server. */
  networkError(error: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted) return error;
    const tlsCode = tlsErrorCode(error);
    if (tlsCode !== undefined) {
      return new UnavailableError(
        `cannot trust the TLS certificate of ${this.baseUrl} (${tlsCode}); if your organisation signs it, point NODE_EXTRA_CA_CERTS at that CA's PEM file`,
        { code: 'server_untrusted', cause: error },
      );
    }
    return new UnavailableError(`cannot reach Paved at ${this.baseUrl} — is it running? (paved up)`, {
      code: 'server_unreachable',
      cause: error,
    });
  }

  private async responseError(response: HttpResponse): Promise<Error> {
    let body: unknown;
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
    } else {
      await response.body?.getReader().cancel().catch(() => undefined);
    }
    return errorFromResponse(response.status, body, response.statusText, response.headers.get('retry-after'));
  }
}
