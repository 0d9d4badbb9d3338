import type { PolicyInput } from './context.js';
import type { PolicyManifest } from './manifest.js';

/** The three guardrails docs/policies.md shows, as tests and the benchmark use them. */
export function examplePolicy(name: string, spec: Partial<PolicyManifest['spec']> & Pick<PolicyManifest['spec'], 'validations'>, owner = 'platform'): PolicyManifest {
  return { apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name, owner }, spec: { version: '1.0.0', ...spec } };
}

export const LARGE_ONLY_IN_PROD = examplePolicy('large-only-in-prod', {
  match: { plans: ['large'] },
  validations: [{ expression: 'request.environment == "prod"', message: 'plan large is for prod only; choose plan small, or request it in environment prod' }],
});

export const THREE_DATABASES_IN_DEV = examplePolicy('three-databases-in-dev', {
  match: { products: ['postgres'], environments: ['dev'], operations: ['create'] },
  validations: [{ expression: 'usage.environment < 3', message: 'a team has at most 3 postgres databases in dev; delete one first (paved list)' }],
});

export const NAME_STARTS_WITH_SERVICE = examplePolicy('name-starts-with-service', {
  validations: [{ expression: 'request.service == "" || request.name.startsWith(request.service + "-")', message: 'an instance of a service is named after it: <service>-<what>, e.g. checkout-db' }],
});

export function exampleInput(change: { request?: Partial<PolicyInput['request']>; usage?: Partial<PolicyInput['usage']> } = {}): PolicyInput {
  return {
    request: { operation: 'create', name: 'checkout-db', product: 'postgres', version: '1.0.0', plan: 'small', inputs: {}, environment: 'dev', service: 'checkout', interface: 'api', user: 'alice', ...change.request },
    team: { name: 'payments', title: 'Payments', platform: false },
    product: { name: 'postgres', version: '1.0.0', owner: 'data', lifecycle: 'ga', driver: 'postgres', tags: ['database'] },
    plan: { name: change.request?.plan ?? 'small', values: { connectionLimit: 20 } },
    environment: { name: change.request?.environment ?? 'dev', targetSelector: {} },
    usage: { team: 0, product: 0, plan: 0, environment: 0, inEnvironment: 0, ...change.usage },
  };
}
