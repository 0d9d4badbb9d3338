import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One management-API exchange: what is sent, and the whole (small, JSON) answer. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}
export interface HttpAnswer {
  status: number;
  statusText: string;
  text: string;
}
export type HttpCall = (request: HttpRequest) => Promise<HttpAnswer>;

/** The fetch a caller may inject instead (a test that watches what is sent to the real broker). */
export type Fetch = typeof globalThis.fetch;

/** A network failure or timeout, shaped as fetch's are: the reason's code sits in `cause`. */
export class HttpCallError extends Error {
  constructor(
    message: string,
    override readonly name: 'TimeoutError' | 'NetworkError',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The default HTTP client: node:http through its global agent, which keeps connections alive
 * (Node ≥ 19) and lets idle ones go without holding the process. Not global fetch: undici's
 * fetch costs ≈ 0.55–0.8 ms of CPU a call on this machine (its Request, Headers, Response and
 * WHATWG streams) against ≈ 0.2–0.3 here (bench/README §1 round 10), and a create's calls run
 * on the loop the API and the engine share, three of them one after the other.
 */
export const nodeHttpCall: HttpCall = ({ method, url, headers, body, timeoutMs }) =>
  new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const outgoing = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = send(url, { method, headers: outgoing }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', fail);
    });
    // One timer for the whole exchange, as fetch's AbortSignal.timeout gave: connect, send, answer.
    const timer = setTimeout(() => req.destroy(new HttpCallError(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error instanceof HttpCallError ? error : new HttpCallError('request failed', 'NetworkError', { cause: error }));
    }
    req.on('error', fail);
    req.end(body);
  });

/** An injected fetch as an HttpCall (the answer read whole, as nodeHttpCall reads it). */
export function fetchCall(fetchImpl: Fetch): HttpCall {
  return async ({ method, url, headers, body, timeoutMs }) => {
    const response = await fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, statusText: response.statusText, text: await response.text() };
  };
}
