/** Where a command reads and writes; injectable so tests run `main` in-process. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export type SignalName = 'SIGINT' | 'SIGTERM';

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Subscribes to a process signal; returns the unsubscribe function. */
  onSignal(signal: SignalName, handler: () => void): () => void;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    // Node makes process.stderr and process.stdin on first use: making them took ≈ 3–4 ms of
    // `paved get` (part of it stream code its request loads anyway), which never reads stdin.
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
  };
}

/** Reads all of stdin as text (for `--token -`). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text;
}
