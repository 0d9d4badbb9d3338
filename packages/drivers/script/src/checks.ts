import type { ContractCheck, DriverInstance, Target } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { buildRequest } from './protocol.js';
import { readTargetConfig } from './target-config.js';
import { invokeScript, type InvokeOptions } from './invoke.js';

/** Checks a script may implement, with what each promises. */
export const CHECK_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  connect: 'The issued credentials are accepted by the provisioned resource.',
  'write-read': 'With the issued credentials, something written can be read back (and is cleaned up).',
  isolation: 'The issued credentials cannot reach anything outside the resource.',
});

/** Output keys whose values are credentials: masked in anything a check echoes back. */
const SECRET_KEY = /pass|secret|token|key|url|credential/i;

export interface CheckInput {
  target: Target;
  instance: DriverInstance;
  outputs: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Runs check `name` through the script (`<executable> check`, with `check: { name, outputs }`
 * on stdin). Exit 0 means the check held. A target must list the checks its script implements
 * in `config.checks`: running an unknown verb against a script is a guess we do not make.
 */
export async function runCheck(name: string, input: CheckInput, options: Omit<InvokeOptions, 'signal' | 'redact'>): Promise<void> {
  const config = readTargetConfig(input.target);
  if (!config.checks.includes(name)) {
    throw new DriverError(`check "${name}" is not implemented by the script of target "${input.target.name}" (list it in config.checks and handle the verb "check")`, {
      code: 'check_unsupported',
      retryable: false,
    });
  }
  const redact = Object.entries(input.outputs).filter(([key]) => SECRET_KEY.test(key)).map(([, value]) => value);
  const request = buildRequest('check', input.instance, {}, input.target, config, { name, outputs: input.outputs });
  try {
    await invokeScript(config, request, { ...options, redact, ...(input.signal ? { signal: input.signal } : {}) });
  } catch (error) {
    if (!(error instanceof DriverError)) throw error;
    const why = error.message.replace(/^script check /, '');
    throw new DriverError(`check "${name}" did not hold: script check ${why}`, { code: 'check_failed', retryable: error.retryable, cause: error });
  }
}

/** The ContractChecks the driver offers; each defers to the target's script. */
export function contractChecks(options: Omit<InvokeOptions, 'signal' | 'redact'>): ContractCheck[] {
  return Object.entries(CHECK_DESCRIPTIONS).map(([name, description]) => ({
    name,
    description,
    run: (input) => runCheck(name, input, options),
  }));
}
