import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { InputError } from '@paved/model';
import type { PavedConfig } from './config.js';

/**
 * The API's TLS certificate and key (PAVED_TLS_CERT_FILE, PAVED_TLS_KEY_FILE), checked to be
 * PEM that belong together, so that a mistake stops the start naming both variables instead of
 * failing inside the HTTPS server.
 */
export async function loadTls(files: NonNullable<PavedConfig['tls']>): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const reason = `not a PEM certificate and its private key (${(error as Error).message})`;
    throw new InputError(`invalid configuration:\n  PAVED_TLS_CERT_FILE, PAVED_TLS_KEY_FILE: ${reason}`, {
      code: 'config_invalid',
      issues: [{ path: 'PAVED_TLS_CERT_FILE', message: reason }, { path: 'PAVED_TLS_KEY_FILE', message: reason }],
    });
  }
  return { cert, key };
}
