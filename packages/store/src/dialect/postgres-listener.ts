import pg from 'pg';

export interface ChangeListenerHandle {
  stop(): Promise<void>;
}

interface ListenerOptions {
  url: string;
  types: pg.ClientConfig['types'];
  channel: string;
  onPayload(payload: string | undefined): void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * A dedicated connection LISTENing on one channel (a pooled connection cannot hold a LISTEN).
 * When the connection drops it reconnects with capped exponential backoff, forever, until
 * stopped: notifications sent while it is down are lost, which is acceptable because the
 * workers also wake on their own at the next due time.
 * The first connection must succeed, so a wrong URL fails createStore instead of being retried.
 */
export async function startChangeListener(options: ListenerOptions): Promise<ChangeListenerHandle> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = RETRY_MIN_MS;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.url, types: options.types });
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onPayload(message.payload);
    });
    // Both fire when the connection is lost; only the first schedules a reconnect.
    let failed = false;
    const onLost = () => {
      if (failed) return;
      failed = true;
      if (client === next) client = undefined;
      next.end().catch(() => {});
      scheduleReconnect();
    };
    // Until connected, failures reject connect() below; this only keeps a late 'error' from crashing.
    next.on('error', () => {});
    await next.connect();
    next.on('error', onLost);
    next.on('end', onLost);
    await next.query(`LISTEN ${options.channel}`);
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    delay = RETRY_MIN_MS;
  };

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch(() => {
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        scheduleReconnect();
      });
    }, delay);
    retryTimer.unref();
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
