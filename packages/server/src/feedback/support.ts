import type { ProductManifest } from '@paved/model';

/** Where to reach a product's owner team besides Paved: its support channel, else its support URL. */
export function supportOf(manifest: ProductManifest): string | undefined {
  return manifest.spec.support?.channel ?? manifest.spec.support?.url;
}
