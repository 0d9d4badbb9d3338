import type { PolicyDecision, QuotaCheck, RequestPreview } from '@paved/model';
import { useApi } from '../app/api.js';
import { describeError } from '../app/errors.js';

/** What the create would be, sent as a dry run: nothing is created. */
export interface PreviewRequest {
  team: string;
  name: string;
  product: string;
  plan: string;
  inputs: Record<string, unknown>;
}

const OUTCOME: Record<RequestPreview['outcome'], string> = {
  allowed: 'The policies and quotas allow it: it goes ahead as soon as you request it.',
  awaitingApproval: 'It will wait for approval: a policy asks for someone to approve it before anything is provisioned.',
  denied: 'It would be refused: a policy or a quota does not allow it as it is.',
};

/** One policy's decision in words; a failing one says its message (which says what would pass). */
export function decisionText(d: PolicyDecision): string {
  const who = `Policy ${d.policy} (v${d.version})`;
  if (d.result === 'skipped') return `${who} does not apply to this request.`;
  if (d.result === 'passed') return `${who} passes.`;
  const message = d.message ? `: ${d.message}` : '.';
  if (d.action === 'warn') return `${who} warns${message}`;
  if (d.action === 'requireApproval') return `${who} asks for approval${message}`;
  return `${who} refuses it${message}`;
}

/** A refusal in red, a warning or a request for approval in amber, a pass in green (the words carry the meaning). */
export function decisionClass(d: PolicyDecision): string {
  return d.result !== 'failed' ? `decision-${d.result}` : d.action === 'deny' ? 'decision-failed' : 'decision-warn';
}

function quotaText(q: QuotaCheck): string {
  return `Quota of plan ${q.plan} of ${q.product}: your team has ${q.used} of ${q.max}; this adds ${q.adding} — ${q.passed ? 'within the quota' : 'over the quota, so it is refused'}.`;
}

/**
 * The policy decisions and quotas for the request as it stands, from the API's dry run (it
 * re-runs as the form changes; SWR keeps the last answer while the next is on its way).
 */
export function PolicyPreview({ request }: { request: PreviewRequest | null }) {
  const key = request ? `preview:${JSON.stringify(request)}` : null;
  const preview = useApi(key, (c) => c.previewCreateInstance(request!.team, {
    name: request!.name, product: request!.product, plan: request!.plan, inputs: request!.inputs,
  }));
  // Announced as it changes, so a keyboard or screen-reader user hears the outcome before submitting.
  return (
    <div role="status" aria-live="polite" data-testid="policy-preview">
      {!request ? <p className="muted">Give the instance a name to see what the policies decide.</p>
        : preview.error ? <p className="muted">The policies could not be checked yet: {describeError(preview.error)}</p>
          : !preview.data ? <p className="muted">Checking the policies…</p>
            : <PreviewAnswer preview={preview.data} />}
    </div>
  );
}

function PreviewAnswer({ preview }: { preview: RequestPreview }) {
  const applying = preview.decisions.filter((d) => d.result !== 'skipped');
  return (
    <>
      <p className={preview.outcome === 'allowed' ? '' : preview.outcome === 'denied' ? 'error' : 'warning'} data-testid="preview-outcome">
        <strong>{preview.outcome === 'allowed' ? 'Allowed.' : preview.outcome === 'denied' ? 'Refused.' : 'Needs approval.'}</strong> {OUTCOME[preview.outcome]}
      </p>
      <ul aria-label="Policy decisions and quotas">
        {applying.length === 0 ? <li>No policy applies to this request.</li> : null}
        {applying.map((d) => <li key={d.policy} className={decisionClass(d)}>{decisionText(d)}</li>)}
        {preview.quotas.map((q) => <li key={`${q.product}/${q.plan}`} className={q.passed ? '' : 'decision-failed'}>{quotaText(q)}</li>)}
      </ul>
    </>
  );
}
