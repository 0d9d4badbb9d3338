import { DriverError } from '@paved/model';
import { foldLine, type ContractCheck } from '@paved/driver-api';
import { deliver } from './deliver.js';
import { deliveryBody } from './delivery.js';
import { broken } from './results.js';
import { readTargetConfig } from './target-config.js';

/**
 * Paved cannot know what a webhook product's resource is, so its contract checks are delegated:
 * a signed `verb: "check"` request names the check and carries the issued outputs; the
 * automation runs it (connect, write then read, try to reach outside the tenant) and answers
 * 200 `{ "ok": true }` or `{ "ok": false, "error": "<one line>" }`.
 */
const DESCRIPTIONS: Record<string, string> = {
  connect: 'The automation connects with the issued outputs.',
  'write-read': 'The automation writes with the issued outputs, reads the value back and removes it.',
  isolation: 'The automation proves the issued outputs cannot reach anything outside the tenant.',
};

/** Output names that hold secrets by Score's conventions; their values never reach a message. */
const SECRET_KEY = /pass|secret|token|key|url|uri|dsn/i;

export function delegatedChecks(): ContractCheck[] {
  return Object.entries(DESCRIPTIONS).map(([name, description]) => ({
    name,
    description,
    async run({ target, instance, outputs, signal }) {
      const config = readTargetConfig(target);
      const body = deliveryBody('check', instance, {}, undefined, { name, outputs });
      const answer = await deliver(config, body, signal);
      if (answer.status === 202) throw broken(body, 'status', 'check must answer 200 with {"ok": …}, not 202');
      const { ok, error } = answer.result;
      if (typeof ok !== 'boolean') throw broken(body, 'ok', 'must be true or false');
      if (ok) return;
      // Redacted before the cut: a cut inside a secret must not leave its beginning behind.
      const secrets = Object.entries(outputs).filter(([key]) => SECRET_KEY.test(key)).map(([, value]) => value);
      const detail = typeof error === 'string' && error.trim() !== '' ? foldLine(error, secrets, 300) : 'no reason given';
      throw new DriverError(`check "${name}" of "${instance.externalName}" did not hold: ${detail}`, { retryable: true, code: 'check_failed' });
    },
  }));
}
