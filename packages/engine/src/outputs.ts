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

/** Generated secret values not stored yet: the caller stores them before any driver side effect. */
export interface UnstoredSecrets {
  name: string;
  values: Record<string, string>;
}

/**
 * The instance's generated secret values, with any that are missing created, and what of them
 * is still to be stored (`unstored`). A read-only driver call (observe) may see them at once;
 * they must be stored BEFORE a call that changes anything (intent before side effect), so
 * that a retry after a crash sends the same password the secret store holds, never one that
 * was lost with the process. The engine stores them in the commit of the intent record that
 * precedes that call (apply.ts), one commit fewer on a new instance's path.
 */
export async function generatedSecrets(
  secrets: SecretStore,
  instanceId: string,
  specs: Readonly<Record<string, SecretSpec>>,
  generate: (bytes: number) => string = randomSecret,
  rotation = 0,
): Promise<{ values: Record<string, string>; unstored?: UnstoredSecrets }> {
  const name = generatedSecretsName(rotation);
  const stored = (await secrets.get(instanceId, name)) ?? {};
  const values = withMissingGenerated(specs, stored, generate);
  return values === undefined ? { values: stored } : { values, unstored: { name, values } };
}

/** A generated secret's value: `bytes` random bytes, in hex. */
const randomSecret = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * `stored` with every secret of `specs` it lacks generated, as a new object; undefined when none
 * is missing. A new instance has none stored (a create's intent, create-intent.ts).
 */
export function withMissingGenerated(
  specs: Readonly<Record<string, SecretSpec>>,
  stored: Readonly<Record<string, string>> = {},
  generate: (bytes: number) => string = randomSecret,
): Record<string, string> | undefined {
  const missing = Object.keys(specs).filter((name) => !Object.hasOwn(stored, name));
  if (missing.length === 0) return undefined;
  const values = { ...stored };
  for (const name of missing) values[name] = generate(specs[name]!.bytes);
  return values;
}

/** generatedSecrets, with what was missing stored before it returns. */
export async function ensureGeneratedSecrets(
  secrets: SecretStore,
  instanceId: string,
  specs: Readonly<Record<string, SecretSpec>>,
  generate?: (bytes: number) => string,
  rotation = 0,
): Promise<Record<string, string>> {
  const { values, unstored } = await generatedSecrets(secrets, instanceId, specs, generate, rotation);
  if (unstored !== undefined) await secrets.put(instanceId, unstored.name, unstored.values);
  return values;
}
