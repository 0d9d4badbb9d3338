import { spawn } from 'node:child_process';

/** How one run of the program ended. */
export type ProcessEnd =
  | { kind: 'exited'; code: number }
  | { kind: 'signalled'; signal: string }
  | { kind: 'timed-out' }
  | { kind: 'aborted' }
  | { kind: 'output-too-large' }
  | { kind: 'spawn-failed'; error: NodeJS.ErrnoException };

export interface ProcessResult {
  end: ProcessEnd;
  stdout: string;
  /** The end of stderr (at most STDERR_KEEP bytes). */
  stderr: string;
  /** True when stderr was longer than what was kept. */
  stderrClipped: boolean;
  pid?: number;
  durationMs: number;
}

export interface RunProcessOptions {
  executable: string;
  args: readonly string[];
  cwd?: string;
  env: Record<string, string>;
  /** Written to the program's stdin, which is then closed. */
  input: string;
  timeoutMs: number;
  /** After SIGTERM, how long the group has before SIGKILL. */
  killGraceMs: number;
  maxStdoutBytes: number;
  signal?: AbortSignal;
}

/** Bytes of stderr kept: enough for the last 20 lines of nearly any tool, bounded whatever it prints. */
export const STDERR_KEEP = 64 * 1024;
/** After the program exits, how long its stdout/stderr may stay open (a leftover background child) before the group is killed. */
const DRAIN_AFTER_EXIT_MS = 2_000;

/**
 * Runs a program in its own process group and collects its output, bounded. Whatever happens
 * (timeout, abort, runaway output) the whole group is stopped: SIGTERM, then SIGKILL after
 * `killGraceMs`, so a wrapper's children (terraform, ansible…) do not outlive the run. Never
 * throws: the caller decides what each ending means.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let child;
    try {
      // detached: the child leads a new process group, so one kill(-pid) reaches its children too.
      child = spawn(options.executable, [...options.args], {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ end: { kind: 'spawn-failed', error: error as NodeJS.ErrnoException }, stdout: '', stderr: '', stderrClipped: false, durationMs: 0 });
      return;
    }
    const pid = child.pid;
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBuffer = Buffer.alloc(0);
    let stderrClipped = false;
    let stopping: ProcessEnd | undefined;
    let exit: ProcessEnd | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const killGroup = (signal: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    // Stop the group for `reason`; the first reason wins, later ones change nothing.
    const stop = (reason: ProcessEnd) => {
      if (stopping || settled) return;
      stopping = reason;
      killGroup('SIGTERM');
      // Not cleared when the leader exits: a child that ignores SIGTERM still gets SIGKILL.
      setTimeout(() => killGroup('SIGKILL'), options.killGraceMs).unref();
    };
    const finish = (end: ProcessEnd) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        end,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: stderrBuffer.toString('utf8'),
        stderrClipped,
        ...(pid === undefined ? {} : { pid }),
        durationMs: performance.now() - started,
      });
    };
    const onAbort = () => stop({ kind: 'aborted' });

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes) {
        stop({ kind: 'output-too-large' });
        return;
      }
      stdoutChunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrBuffer = Buffer.concat([stderrBuffer, chunk]);
      if (stderrBuffer.length > STDERR_KEEP) {
        stderrBuffer = stderrBuffer.subarray(stderrBuffer.length - STDERR_KEEP);
        stderrClipped = true;
      }
    });
    // A program that exits without reading its stdin makes our write fail with EPIPE: not our problem.
    child.stdin.on('error', () => {});
    child.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'spawn-failed', error }));
    child.on('exit', (code, signal) => {
      exit = code !== null ? { kind: 'exited', code } : { kind: 'signalled', signal: signal ?? 'unknown' };
      // Output is complete at 'close'; a background child still holding the pipes gets a short grace.
      const drain = setTimeout(() => {
        killGroup('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
        finish(stopping ?? exit!);
      }, DRAIN_AFTER_EXIT_MS);
      drain.unref();
      timers.push(drain);
    });
    child.on('close', () => finish(stopping ?? exit ?? { kind: 'signalled', signal: 'unknown' }));

    const timeout = setTimeout(() => stop({ kind: 'timed-out' }), options.timeoutMs);
    timeout.unref();
    timers.push(timeout);
    // addEventListener, not `signal.aborted`: the caller decides when the signal is looked at.
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdin.end(options.input);
  });
}
