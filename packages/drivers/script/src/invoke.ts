import { DriverError } from '@paved/model';
import type { ScriptTargetConfig } from './target-config.js';
import type { ScriptRequest, Verb } from './protocol.js';
import { runProcess, type ProcessResult } from './run-process.js';
import { stderrTail, stdoutHead } from './redact.js';

export interface InvokeOptions {
  /** Environment every run starts from (PATH, HOME…), before the target's `env`. */
  baseEnv: Readonly<Record<string, string>>;
  killGraceMs: number;
  signal?: AbortSignal;
  /** Values masked in anything echoed back, beyond the request's secrets and the target's env values. */
  redact?: readonly string[];
}

/** Exit code a script uses to say "retrying cannot help" (bad input, unsupported plan…). */
export const PERMANENT_EXIT_CODE = 2;

/**
 * Runs `<executable> <verb>` with the request on stdin and returns the parsed JSON it printed
 * (undefined when it printed nothing). Every failure becomes a one-line DriverError naming the
 * verb, with the end of stderr, secrets masked.
 */
export async function invokeScript(config: ScriptTargetConfig, request: ScriptRequest, options: InvokeOptions): Promise<unknown> {
  const verb = request.verb;
  const masked = [...Object.values(request.secrets), ...Object.values(config.env), ...(options.redact ?? [])];
  const result = await runProcess({
    executable: config.executable,
    // The verb is the only argument: argv is visible to every user of the machine (ps).
    args: [verb],
    ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
    env: { ...options.baseEnv, ...config.env },
    input: `${JSON.stringify(request)}\n`,
    timeoutMs: config.timeout.ms,
    killGraceMs: options.killGraceMs,
    maxStdoutBytes: config.maxOutputBytes,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  failIfUnsuccessful(verb, config, result, masked, options.signal);
  const text = result.stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DriverError(`script ${verb} printed invalid JSON on stdout (logs belong on stderr): ${stdoutHead(result.stdout, masked)}`, {
      code: 'script_result_invalid',
      retryable: false,
    });
  }
}

function failIfUnsuccessful(verb: Verb, config: ScriptTargetConfig, result: ProcessResult, masked: readonly string[], signal?: AbortSignal): void {
  const end = result.end;
  const tail = () => {
    const text = stderrTail(result.stderr, masked, result.stderrClipped);
    return text === '' ? ' (nothing on stderr)' : `: ${text}`;
  };
  switch (end.kind) {
    case 'exited':
      if (end.code === 0) return;
      throw new DriverError(`script ${verb} exited with code ${end.code}${tail()}`, {
        code: end.code === PERMANENT_EXIT_CODE ? 'script_failed_permanently' : 'script_failed',
        retryable: end.code !== PERMANENT_EXIT_CODE,
      });
    case 'signalled':
      throw new DriverError(`script ${verb} was killed by ${end.signal}${tail()}`, { code: 'script_failed', retryable: true });
    case 'timed-out':
      throw new DriverError(`script ${verb} timed out after ${config.timeout.text}${tail()}`, { code: 'script_timed_out', retryable: true });
    case 'output-too-large':
      throw new DriverError(`script ${verb} printed more than ${config.maxOutputBytes} bytes on stdout and was stopped (config.maxOutputBytes)`, {
        code: 'script_result_invalid',
        retryable: false,
      });
    case 'aborted': {
      // Same as signal.throwIfAborted(): the engine recognises its own reasons (lost lease, crash).
      const reason: unknown = signal?.reason;
      if (reason instanceof Error) throw reason;
      throw new DriverError(`script ${verb} was stopped before it finished`, { code: 'script_aborted', retryable: true });
    }
    case 'spawn-failed': {
      const code = end.error.code ?? 'unknown error';
      const hint = code === 'ENOENT' ? ' (no such file, or its #! interpreter is missing)' : code === 'EACCES' ? ' (not executable: chmod +x)' : '';
      throw new DriverError(`script ${verb} could not start ${config.executable}: ${code}${hint}`, {
        code: 'script_not_runnable',
        retryable: false,
        cause: end.error,
      });
    }
  }
}
