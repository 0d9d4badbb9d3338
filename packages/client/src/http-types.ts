/**
 * The part of fetch the client uses, so that it can send with fetch (the browser, a caller's
 * own) or with node:http (the CLI, where fetch costs more than the rest of a command): a fetch
 * Response is one of these as it is.
 */
export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export type ByteChunk = { done: true; value?: Uint8Array } | { done: false; value: Uint8Array };

export interface ByteReader {
  read(): Promise<ByteChunk>;
  cancel(): Promise<void>;
}

export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
  readonly body: { getReader(): ByteReader } | null;
}

export type HttpRequest = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;
