/** What a secret becomes in a shipped log line. */
export const MASK = '***';

export interface SecretMask {
  /** `text` with every secret replaced by MASK. */
  mask(text: string): string;
  /**
   * Where `text` may be cut so that no secret straddles the cut: `text.length`, or the start of
   * a tail that could be the beginning of a secret whose rest has not arrived yet.
   */
  safeCut(text: string): number;
}

/**
 * Masks the secret output values revealed for `paved run` in the lines it ships: an app that
 * prints its password must not put it in the log store, where a team's viewers read it. A
 * multi-line secret (a PEM key) is masked line by line, since lines are shipped one by one;
 * longer secrets first, so one that contains another is masked whole.
 */
export function secretMask(secrets: Iterable<string>): SecretMask {
  const fragments = [...new Set([...secrets].flatMap((secret) => secret.split(/\r?\n/)))]
    .filter((fragment) => fragment.length > 0)
    .sort((a, b) => b.length - a.length);
  return {
    mask(text) {
      let masked = text;
      for (const fragment of fragments) masked = masked.split(fragment).join(MASK);
      return masked;
    },
    safeCut(text) {
      let cut = text.length;
      for (const fragment of fragments) {
        // The longest proper prefix of the fragment that the text ends with.
        for (let k = Math.min(fragment.length - 1, text.length); k > 0; k--) {
          if (text.endsWith(fragment.slice(0, k))) {
            cut = Math.min(cut, text.length - k);
            break;
          }
        }
      }
      return cut;
    },
  };
}

/** No secrets: lines are shipped as they are. */
export const NO_SECRETS: SecretMask = { mask: (text) => text, safeCut: (text) => text.length };
