import { DriverError } from '@paved/model';
import { errorLine, foldLine } from '@paved/driver-api';
import type { DeliveryBody } from './delivery.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import type { WebhookTargetConfig } from './target-config.js';

/** What the automation answered: 200 with a JSON result, or 202 (it will call back). */
export type DeliveryAnswer = { status: 200; result: Record<string, unknown> } | { status: 202 };

/** Enough of a body to say what went wrong, small enough to keep a status line readable. */
const SNIPPET_LENGTH = 200;

/**
 * Signs and POSTs one delivery. Errors become DriverErrors the engine understands: network
 * failures, timeouts, 408, 429 and 5xx are retryable (the engine backs off and calls again with
 * the same delivery id); other answers are not, because sending the same request again will get
 * the same answer. Redirects are refused rather than followed: a signed body with secrets must
 * not be replayed to wherever a Location header points. Messages never contain a secret: the
 * body snippet is redacted of every secret we sent.
 */
export async function deliver(config: WebhookTargetConfig, body: DeliveryBody, signal: AbortSignal): Promise<DeliveryAnswer> {
  const raw = JSON.stringify(body);
  const redact = [config.secret, ...Object.values(body.secrets), ...Object.values(body.check?.outputs ?? {})];
  const what = `webhook: ${body.verb} of "${body.instance.externalName}" at ${config.display}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        [SIGNATURE_HEADER]: signatureHeader(config.secret, raw),
        [DELIVERY_HEADER]: body.deliveryId,
        'user-agent': 'paved-webhook/1',
      },
      body: raw,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
    });
    text = await response.text();
  } catch (error) {
    // The caller's own signal (shutdown, lost lease, a simulated crash) propagates as it is.
    if (signal.reason !== undefined && error === signal.reason) throw error;
    if ((error as Error)?.name === 'TimeoutError') {
      throw new DriverError(`${what} timed out after ${config.timeoutMs} ms (delivery ${body.deliveryId})`, { cause: error, retryable: true, code: 'webhook_timeout' });
    }
    throw new DriverError(`${what} failed: ${networkReason(error)}`, { cause: error, retryable: true, code: 'webhook_unreachable' });
  }

  const status = response.status;
  if (status === 202) return { status: 202 };
  if (status === 200) {
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch {
      throw new DriverError(`${what}: the automation answered 200 with a body that is not JSON: ${snippet(text, redact)}`, { retryable: false, code: 'webhook_bad_response' });
    }
    if (result === null || typeof result !== 'object' || Array.isArray(result)) {
      throw new DriverError(`${what}: the automation answered 200 with JSON that is not an object`, { retryable: false, code: 'webhook_bad_response' });
    }
    return { status: 200, result: result as Record<string, unknown> };
  }
  const retryable = status >= 500 || status === 408 || status === 429;
  const hint = status === 401 || status === 403 ? ' (is config.secret the same on both sides?)' : status >= 300 && status < 400 ? ' (Paved does not follow redirects: set config.url to the final address)' : '';
  throw new DriverError(`${what} answered HTTP ${status}${hint}: ${snippet(text, redact)}`, { retryable, code: 'webhook_refused' });
}

function snippet(text: string, redact: readonly string[]): string {
  return foldLine(text, redact, SNIPPET_LENGTH) || '(empty body)';
}

/** fetch hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } })?.cause;
  if (cause?.code) return cause.code;
  // Several addresses tried (IPv4 and IPv6): an AggregateError holding one error each.
  const codes = [...new Set((cause?.errors ?? []).map((e) => e.code).filter(Boolean))];
  if (codes.length > 0) return codes.join(', ');
  if (cause && typeof (cause as { message?: unknown }).message === 'string') return errorLine(cause);
  return errorLine(error) || 'unknown error';
}
