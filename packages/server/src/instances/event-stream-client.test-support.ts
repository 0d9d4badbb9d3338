import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface Received {
  event: string;
  data: string;
}

/**
 * A real HTTP client on the stream (inject cannot follow a response that stays open): a GET, or
 * a POST of `body` (a create with `?wait=ready`).
 */
export function openStream(base: string, path: string, token: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
  const events: Received[] = [];
  const comments: string[] = [];
  let buffer = '';
  let ended = false;
  let response: IncomingMessage | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders };
  const req = httpRequest(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
    response = res;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) { comments.push(block); continue; }
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        events.push({ event, data });
      }
      wake();
    });
    res.on('end', () => { ended = true; wake(); });
    wake();
  });
  req.on('error', () => {});
  req.end(body === undefined ? undefined : JSON.stringify(body));
  return {
    events,
    comments,
    get ended() { return ended; },
    get response() { return response; },
    /**
     * Resolves once `predicate` holds, checked whenever the stream receives data or ends; fails
     * after 30 s (a bound on a hang, not a wait) saying what arrived.
     */
    async until(predicate: () => boolean, what: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      while (!predicate()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => e.event))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    close: () => req.destroy(),
  };
}
