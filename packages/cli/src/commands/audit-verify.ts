import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import {
  AuditVerifier, InputError, auditKeyId, trustedAuditKeys,
  type AuditCheckpoint, type AuditKey, type AuditVerification,
} from '@paved/model';
import type { Context } from '../context.js';

export interface VerifyOptions {
  file?: string;
  checkpoint?: string;
  publicKey?: string;
}

/** The exit code of a verification that found problems (docs/cli.md "Errors and exit codes"). */
export const VERIFY_FAILED_EXIT_CODE = 1;

/**
 * `paved audit verify`: checks the chain here, in the CLI, so that the answer does not rest on
 * the server's word. The records come from the server's export or a file; the public key from
 * the server or --public-key; a checkpoint the user kept (an earlier export) catches a log cut
 * back behind it, even by someone who could write the database.
 */
export async function verifyAudit(ctx: Context, opts: VerifyOptions): Promise<number> {
  const keys = await keysToTrust(ctx, opts.publicKey);
  const trusted = opts.checkpoint === undefined ? [] : [await lastCheckpointIn(opts.checkpoint)];
  const verifier = new AuditVerifier({ keys, trusted });
  let lineNo = 0;
  const lines = opts.file === undefined ? (await ctx.client()).exportAudit() : linesOf(await existing(opts.file, '--file'));
  for await (const line of lines) verifier.line(line, ++lineNo);
  const result = verifier.finish();
  ctx.print(result, () => report(ctx, result, opts));
  return result.problems.length === 0 ? 0 : VERIFY_FAILED_EXIT_CODE;
}

async function keysToTrust(ctx: Context, publicKey: string | undefined): Promise<AuditKey[]> {
  if (publicKey !== undefined) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(publicKey)) {
      throw new InputError('--public-key must be an Ed25519 public key as paved audit keys shows it (43 base64url characters)', {
        code: 'invalid_input', issues: [{ path: '--public-key', message: 'is not 43 base64url characters' }],
      });
    }
    return [{ id: auditKeyId(publicKey), algorithm: 'ed25519', publicKey }];
  }
  return trustedAuditKeys((await (await ctx.client()).listAuditKeys()).items);
}

/** The last checkpoint in a file of export lines (or a file holding one checkpoint). */
async function lastCheckpointIn(file: string): Promise<AuditCheckpoint> {
  let last: AuditCheckpoint | undefined;
  for await (const line of linesOf(await existing(file, '--checkpoint'))) {
    try {
      const value = JSON.parse(line) as Partial<AuditCheckpoint> & { type?: string };
      if ((value.type === undefined || value.type === 'checkpoint') && Number.isInteger(value.seq) && typeof value.hash === 'string' && typeof value.signature === 'string') {
        const { type: _type, ...checkpoint } = value;
        last = checkpoint as AuditCheckpoint;
      }
    } catch {
      // Not a line of an export: skip it.
    }
  }
  if (!last) {
    throw new InputError(`${file} holds no audit checkpoint; pass an earlier export (paved audit export)`, {
      code: 'checkpoint_not_found', issues: [{ path: '--checkpoint', message: 'holds no checkpoint' }],
    });
  }
  return last;
}

async function existing(path: string, flag: string): Promise<string> {
  try {
    await access(path);
    return path;
  } catch {
    throw new InputError(`${path} does not exist`, { code: 'file_not_found', issues: [{ path: flag, message: `${path} does not exist` }] });
  }
}

async function* linesOf(path: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
}

function report(ctx: Context, result: AuditVerification, opts: VerifyOptions): string {
  const what = opts.file ?? 'the server\'s audit log';
  const span = result.records === 0 ? 'no records' : `${result.records} record(s), seq ${result.firstSeq}–${result.lastSeq}`;
  const lines = [`${what}: ${span}${result.partial ? ' (one team\'s records: each record checked, not the chain between them)' : `, ${result.checkpoints} checkpoint(s)`}`];
  if (result.problems.length === 0) {
    lines.push(ctx.colors.green('verified: no record was modified, deleted or reordered') + (result.partial ? '' : ', and none is missing behind a checkpoint'));
    if (result.head && !result.partial) lines.push(`newest checkpoint: seq ${result.head.seq} signed ${result.head.at}; keep this export to check later logs against it (--checkpoint)`);
  } else {
    lines.push(ctx.colors.red(`${result.problems.length} problem(s):`));
    for (const problem of result.problems) lines.push(`  ${problem.kind}: ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}
