import type { Transport } from './transport.js';

export interface AuditExportOptions {
  /** One team's records (team owners). */
  team?: string;
  /** Records after this seq only. */
  after?: number;
  signal?: AbortSignal;
}

/**
 * The audit export (`GET /api/v1/audit/export`) line by line as it streams, each line as the
 * server sent it (verifying and shipping both want the exact text), without the newline.
 */
export async function* exportAuditLines(http: Transport, options: AuditExportOptions = {}): AsyncGenerator<string> {
  const response = await http.send('GET', '/api/v1/audit/export', {
    query: { team: options.team, after: options.after },
    accept: 'application/x-ndjson',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.body) return;
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  const reader = response.body.getReader();
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        yield buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    }
  } finally {
    // A caller that stops early (break) closes the connection instead of leaving it open.
    await reader.cancel().catch(() => undefined);
  }
  buffer += decoder.decode();
  if (buffer !== '') yield buffer;
}
