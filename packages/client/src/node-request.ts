import type { IncomingMessage } from 'node:http';
import type { HttpRequest, HttpResponse } from './http-types.js';

/**
 * Node's fetch (undici) costs ≈ 150–300 ms the first time it is used, more than the whole rest of
 * a `paved get` (bench/README.md §9); node:http is loaded with Node itself. This sends one
 * request with it and answers with the part of a fetch Response the client reads.
 *
 * Kept as fetch had it: the `user-agent: node` the audit log records, undici's 300 s timeout
 * without a byte (headers or body; the event streams' keep-alives arrive well within it), TLS
 * trust from Node's store and NODE_EXTRA_CA_CERTS, verification failures as errors with the
 * OpenSSL code, and no proxy (Node 20's fetch ignores HTTP(S)_PROXY too).
 */
const IDLE_TIMEOUT_MS = 300_000;

export const nodeRequest: HttpRequest = (url, init) => new Promise<HttpResponse>((resolve, reject) => {
  const target = new URL(url);
  // Loaded by the first request, not by every command that could send one (`paved --help`);
  // node:https (tls, crypto: ≈ 8 ms more) only for an https URL.
  const send = process.getBuiltinModule(target.protocol === 'https:' ? 'node:https' : 'node:http').request;
  const headers: Record<string, string> = { 'user-agent': 'node', ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  const req = send(target, { method: init.method, headers, ...(init.signal ? { signal: init.signal } : {}) }, (res) => resolve(responseOf(res, init.signal)));
  req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer from ${target.origin} in ${IDLE_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
  req.on('error', reject);
  req.end(init.body);
});

function responseOf(res: IncomingMessage, signal: AbortSignal | undefined): HttpResponse {
  const status = res.statusCode ?? 0;
  const text = async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  return {
    status,
    ok: status >= 200 && status < 300,
    statusText: res.statusMessage ?? '',
    headers: {
      get(name: string) {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    text,
    json: async () => JSON.parse(await text()) as unknown,
    body: {
      getReader() {
        const chunks = res[Symbol.asyncIterator]();
        return {
          read: async () => {
            const next = await chunks.next();
            return next.done ? { done: true, value: undefined } : { done: false, value: next.value as Uint8Array };
          },
          cancel: async () => {
            // A response the server has ended already (a watch's `deleted`, the server's end of
            // the stream) leaves a connection the next request can use: it is drained back to
            // the agent instead of closed, so that request opens no new TCP connection
            // (bench/README.md §1, round 9). Anything still being sent is cut off as before.
            // An aborted request's connection goes, as before: the abort has destroyed it already.
            if (res.complete && signal?.aborted !== true) res.resume();
            else res.destroy();
          },
        };
      },
    },
  };
}
