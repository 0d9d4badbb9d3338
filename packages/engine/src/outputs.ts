import { randomBytes } from 'node:crypto';
import type { SecretSpec } from '@paved/driver-api';
import type { OutputSpec } from '@paved/model';
import type { SecretStore } from '@paved/secrets';

/** Secret-store names under an instance's id. */
export const GENERATED_SECRETS = 'generated';
export const CREDENTIALS = 'credentials';

/**
 * Where the generated values of credential `rotation` live: 'generated' for the first one (as
 * before rotation existed), 'generated@<n>' after. Each credential keeps its own until revoked,
 * so a retried rotate sends the same new password and a retried revoke still knows the old one.
 */
export function generatedSecretsName(rotation = 0): string {
  return rotation === 0 ? GENERATED_SECRETS : `${GENERATED_SECRETS}@${rotation}`;
}

export interface SplitOutputs {
  /** Shown to anyone who may see the instance: stored in plain columns. */
  plain: Record<string, string>;
  /** Revealed only on an explicit, audited call: stored encrypted. */
  secret: Record<string, string>;
}

/**
 * Splits a driver's outputs by the product's declared outputs. Undeclared outputs are dropped:
 * the product is the contract with the requester, and a driver that returns more (say, an
 * admin URL) must not leak it into plain columns by accident. A product with open outputs
 * (`spec.score.openOutputs`, the built-in environment: each variable is an output) keeps
 * undeclared ones as plain values: its contract is "whatever the environment holds".
 */
export function splitOutputs(outputs: Record<string, string>, declared: Record<string, OutputSpec>, open = false): SplitOutputs {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    const spec = Object.hasOwn(declared, name) ? declared[name] : open ? {} : undefined;
    if (spec === undefined) continue;
    if (spec.secret === true) secret[name] = value;
    else plain[name] = value;
  }
  return { plain, secret };
}

/**
 * The instance's generated secret values, creating and storing any that are missing BEFORE the
 * driver sees them (intent before side effect): a retry after a crash then sends the same
 * password the secret store holds, never one that was lost with the process.
 */
export async function ensureGeneratedSecrets(
  secrets: SecretStore,
  instanceId: string,
  specs: Readonly<Record<string, SecretSpec>>,
  generate: (bytes: number) => string = (bytes) => randomBytes(bytes).toString('hex'),
  rotation = 0,
): Promise<Record<string, string>> {
  const name = generatedSecretsName(rotation);
  const stored = (await secrets.get(instanceId, name)) ?? {};
  const missing = Object.keys(specs).filter((name) => !Object.hasOwn(stored, name));
  if (missing.length === 0) return stored;
  const values = { ...stored };
  for (const name of missing) values[name] = generate(specs[name]!.bytes);
  await secrets.put(instanceId, name, values);
  return values;
}
