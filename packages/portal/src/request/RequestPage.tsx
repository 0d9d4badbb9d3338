import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { JsonForms } from '@jsonforms/react';
import { vanillaCells, vanillaRenderers } from '@jsonforms/vanilla-renderers';
import type { ProductDetail } from '@paved/model';
import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';
import { ApiError, Loaded } from '../app/errors.js';
import { useWritableTeams } from '../team/teams.js';
import { createInputValidator, type FieldError } from './validate-inputs.js';
import { PolicyPreview } from './PolicyPreview.js';

/** The request form: loaded on its own (JSON Forms and its validator are the largest part of the portal). */
export default function RequestPage({ product }: { product: string }) {
  const detail = useApi(`product:${product}`, (c) => c.getProduct(product));
  return (
    <Loaded data={detail.data} error={detail.error} what={`the product ${product}`}>
      {(p) => <RequestForm product={p} />}
    </Loaded>
  );
}

/** JSON Forms renders what Ajv's default draft knows; the manifest's `$schema` line would make it refuse the schema. */
function formSchema(inputs: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = inputs;
  return schema;
}

/** The schema's top-level defaults, filled in at the start (JSON Forms shows a blank field otherwise). */
function defaultsOf(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(properties).filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default]));
}

/** A setting's title in the schema, else its name. */
function titleOf(schema: Record<string, unknown>, name: string): string {
  return (schema.properties as Record<string, { title?: string }> | undefined)?.[name]?.title ?? name;
}

/** The setting an error is about. */
function fieldTitle(schema: Record<string, unknown>, error: FieldError): string {
  const name = (error.params.missingProperty as string | undefined) ?? error.instancePath.split('/')[1] ?? '';
  return name ? titleOf(schema, name) : 'Settings';
}

function hasFields(schema: Record<string, unknown>): boolean {
  const properties = schema.properties as Record<string, unknown> | undefined;
  return properties !== undefined && Object.keys(properties).length > 0;
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

function RequestForm({ product }: { product: ProductDetail }) {
  const { client } = useSession();
  const [, navigate] = useLocation();
  const id = useId();
  const teams = useWritableTeams();
  const plans = Object.entries(product.manifest.spec.plans);
  const defaultPlan = plans.find(([, p]) => p.default)?.[0] ?? plans[0]?.[0] ?? '';
  const schema = useMemo(() => formSchema(product.manifest.spec.inputs), [product]);
  const [team, setTeam] = useState('');
  const [name, setName] = useState('');
  const [plan, setPlan] = useState(defaultPlan);
  // JSON Forms keeps the form's state: it gets its starting data once and reports every change,
  // and its props do not change after. (A new prop makes it re-apply its `data` prop: passing
  // the errors back in as `additionalErrors` over a fixed `data` reset the form, so the errors
  // are listed under the form instead; the preview says what will be sent.)
  const initialInputs = useMemo(() => defaultsOf(schema), [schema]);
  const [inputs, setInputs] = useState<Record<string, unknown>>(initialInputs);
  const validate = useMemo(() => createInputValidator(schema), [schema]);
  const inputErrors = useMemo(() => validate(inputs), [validate, inputs]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const chosenTeam = team || teams.data?.[0] || '';
  const nameProblem = name === '' ? null : NAME_PATTERN.test(name) ? null
    : 'Use lowercase letters, digits and “-”, starting with a letter, at most 40 characters.';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (nameProblem || inputErrors.length > 0 || !chosenTeam) return;
    setBusy(true);
    setError(null);
    try {
      await client.createInstance(chosenTeam, { name, product: product.name, plan, inputs });
      navigate(`/requests/${encodeURIComponent(chosenTeam)}/${encodeURIComponent(name)}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  if (teams.data && teams.data.length === 0) {
    return (
      <>
        <h1>Request {product.title}</h1>
        <p className="empty">You are not an owner or member of any team, so you cannot request instances. A team owner adds you with <code>paved teams add-member</code>.</p>
      </>
    );
  }

  return (
    <>
      <h1>Request {product.title}</h1>
      <p><Link href={`/products/${encodeURIComponent(product.name)}`}>Back to {product.title}</Link></p>
      <form onSubmit={submit} className="request" noValidate>
        <div className="field">
          <label htmlFor={`${id}-team`}>Team</label>
          <select id={`${id}-team`} value={chosenTeam} onChange={(e) => setTeam(e.target.value)} required>
            {(teams.data ?? []).map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Instance name</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value.trim())} required maxLength={40}
            aria-invalid={nameProblem ? true : undefined} aria-describedby={`${id}-name-help`} autoComplete="off" spellCheck={false} />
          <p id={`${id}-name-help`} className={nameProblem ? 'field-error' : 'muted'}>
            {nameProblem ?? 'Lowercase letters, digits and “-”; your app reads its credentials as NAME_… variables.'}
          </p>
        </div>
        <fieldset>
          <legend>Plan</legend>
          {plans.map(([planName, p]) => (
            <label key={planName} className="choice">
              <input type="radio" name={`${id}-plan`} value={planName} checked={plan === planName} onChange={() => setPlan(planName)} />
              <span><strong>{planName}</strong>{p.default ? ' (default)' : ''}{p.description ? ` — ${p.description}` : ''}</span>
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Settings</legend>
          {hasFields(schema) ? (
            <JsonForms schema={schema} data={initialInputs} renderers={vanillaRenderers} cells={vanillaCells}
              validationMode="NoValidation" onChange={({ data }) => setInputs(data as Record<string, unknown>)} />
          ) : <p className="muted">This product takes no settings: the plan decides everything.</p>}
          <div role="status" aria-live="polite">
            {inputErrors.length > 0 ? (
              <ul className="field-errors" aria-label="Settings to correct">
                {inputErrors.map((e) => <li key={e.instancePath + e.keyword}><strong>{fieldTitle(schema, e)}</strong>: {e.message}</li>)}
              </ul>
            ) : null}
          </div>
        </fieldset>
        <section aria-labelledby={`${id}-preview`} className="preview">
          <h2 id={`${id}-preview`}>What will happen</h2>
          <ul>
            <li>Paved creates <strong>{name || 'the instance'}</strong> for team <strong>{chosenTeam || '…'}</strong>: {product.title} version {product.latestVersion}, plan <strong>{plan}</strong>.</li>
            <li>The {product.manifest.spec.driver} driver provisions it{product.manifest.spec.checks?.length ? `, then checks ${product.manifest.spec.checks.join(', ')} with the new credentials` : ''}; you follow its status here until it is Ready.</li>
            {hasFields(schema) ? (
              <li data-testid="preview-settings">Settings: {Object.keys(inputs).length === 0 ? 'the defaults' : Object.entries(inputs).map(([k, v]) => `${titleOf(schema, k)} ${String(v)}`).join(', ')}.</li>
            ) : null}
            {product.manifest.spec.plans[plan]?.quota?.perTeam ? <li>A team may hold {product.manifest.spec.plans[plan]!.quota!.perTeam} instances of this plan.</li> : null}
          </ul>
          <h3>Policies and quotas</h3>
          <PolicyPreview request={name && !nameProblem && chosenTeam && inputErrors.length === 0
            ? { team: chosenTeam, name, product: product.name, plan, inputs } : null} />
        </section>
        <button type="submit" disabled={busy || !name || nameProblem !== null || inputErrors.length > 0}>{busy ? 'Requesting…' : 'Request'}</button>
      </form>
      {error ? <ApiError error={error}>The request was refused.</ApiError> : null}
    </>
  );
}
