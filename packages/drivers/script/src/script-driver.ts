import type { ApplyResult, DeletionStep, Driver, DriverContext, Logger, SecretSpec } from '@paved/driver-api';
import { preflightWith, silentLogger } from '@paved/driver-api';
import { contextRequest, readApplyResult, readObservation, type Verb } from './protocol.js';
import { readTargetConfig } from './target-config.js';
import { invokeScript, type InvokeOptions } from './invoke.js';
import { preflight } from './preflight.js';
import { contractChecks } from './checks.js';
import { redact } from './redact.js';

export interface ScriptDriverOptions {
  logger?: Logger;
  /**
   * Secrets the engine generates for every instance and hands to the script on stdin.
   * Default `{ password: { bytes: 24 } }`: a generated secret your script may use.
   */
  secrets?: Record<string, SecretSpec>;
  /**
   * Environment every script starts from, before the target's `config.env`. Default: PATH,
   * HOME, LANG, LC_ALL, TZ and TMPDIR of the Paved process, nothing else, so Paved's own
   * settings (PAVED_MASTER_KEY, database URLs) never reach a script.
   */
  baseEnv?: Record<string, string>;
  /** After SIGTERM (timeout, abort), how long a script's process group has before SIGKILL (default 10 s). */
  killGraceMs?: number;
}

const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

/** Picked once, when the driver is made (the edge), never read again. */
function defaultBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}

/**
 * Driver type 'script': runs a platform team's executable as `<executable> <verb>` with the
 * instance (and its secrets) as JSON on stdin and reads a JSON result on stdout. Each script is
 * its own target: `{ executable, cwd?, timeout?, env?, maxOutputBytes?, checks? }`. See README.md.
 */
export function createScriptDriver(options: ScriptDriverOptions = {}): Driver {
  const logger = options.logger ?? silentLogger;
  const base = { baseEnv: Object.freeze(options.baseEnv ?? defaultBaseEnv()), killGraceMs: options.killGraceMs ?? 10_000 };
  const secrets = Object.freeze({ ...(options.secrets ?? { password: { bytes: 24 } }) });

  const invoke = async (verb: Verb, ctx: DriverContext): Promise<unknown> => {
    // The one look at the signal per call: before the side effect. Afterwards only the abort event kills the run.
    ctx.signal.throwIfAborted();
    const config = readTargetConfig(ctx.target);
    const invokeOptions: InvokeOptions = { ...base, signal: ctx.signal };
    const started = performance.now();
    try {
      return await invokeScript(config, contextRequest(verb, ctx, config), invokeOptions);
    } finally {
      logger.debug({ target: ctx.target.name, externalName: ctx.instance.externalName, verb, ms: Math.round(performance.now() - started) }, 'script ran');
    }
  };

  const apply = async (verb: 'create' | 'update', ctx: DriverContext): Promise<ApplyResult> => ({
    outputs: readApplyResult(verb, await invoke(verb, ctx)),
  });

  const runDelete: DeletionStep = {
    name: 'run-delete',
    async run(ctx) {
      await invoke('delete', ctx);
    },
  };

  return {
    type: 'script',
    secrets,
    deletion: Object.freeze([runDelete]),
    checks: Object.freeze(contractChecks(base)),
    preflight: (target) => preflightWith(target, readTargetConfig, preflight),
    async observe(ctx) {
      const observation = readObservation(await invoke('observe', ctx));
      if (observation.outputs) {
        // observe's outputs are stored as plain (non-secret) values: drop any that carry a secret.
        const secretValues = Object.values(ctx.secrets);
        for (const [key, value] of Object.entries(observation.outputs)) {
          if (redact(value, secretValues) !== value) {
            delete observation.outputs[key];
            logger.warn({ target: ctx.target.name, output: key }, 'script observe printed a secret in an output; dropped it');
          }
        }
      }
      return observation;
    },
    create: (ctx) => apply('create', ctx),
    update: (ctx) => apply('update', ctx),
  };
}
