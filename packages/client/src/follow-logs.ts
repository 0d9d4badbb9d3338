import { UnavailableError, type LogLine } from '@paved/model';
import { SseParser } from './sse.js';
import type { Transport } from './transport.js';
import type { HttpResponse } from './http-types.js';

export interface FollowLogsOptions {
  /** Only lines at or after this time (10m, ISO). */
  since?: string;
  /** Only lines after this seq (what a listing ended on). With neither, from now on. */
  cursor?: string;
  grep?: string;
  signal?: AbortSignal;
  onLine(line: LogLine): void;
}

/**
 * Follows a service's log stream until `signal` aborts. A dropped connection is reopened after
 * the last line seen (so nothing is shown twice or lost); a second drop with no line in between
 * means the server is going away and is reported as UnavailableError.
 */
export async function followLogs(transport: Transport, path: string, options: FollowLogsOptions): Promise<void> {
  let cursor = options.cursor;
  const since = options.since;
  let drops = 0;
  for (;;) {
    let progressed = false;
    const query = { cursor, since, grep: options.grep };
    let response: HttpResponse;
    try {
      response = await transport.send('GET', `${path}/follow`, { accept: 'text/event-stream', query, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
    const reader = response.body?.getReader();
    const parser = new SseParser();
    try {
      for (;;) {
        const chunk = reader ? await reader.read().catch(() => ({ done: true as const, value: undefined })) : { done: true as const, value: undefined };
        if (chunk.done) break;
        for (const event of parser.push(chunk.value)) {
          if (event.event !== 'log') continue;
          const line = JSON.parse(event.data) as LogLine;
          cursor = String(line.seq);
          progressed = true;
          options.onLine(line);
        }
      }
    } finally {
      await reader?.cancel().catch(() => undefined);
    }
    if (options.signal?.aborted) return;
    if (progressed) drops = 0;
    if (drops >= 1) throw new UnavailableError(`lost the log stream ${path} from ${transport.baseUrl}`, { code: 'follow_dropped' });
    drops++;
  }
}
