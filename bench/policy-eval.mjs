// Policy evaluation cost: the three guardrails of docs/policies.md compiled with the CEL library
// Paved uses, evaluated against a request, beside the same rules as plain JavaScript functions
// in the same run (the baseline: what a hand-written guardrail would cost).
//
//   node bench/policy-eval.mjs [--evaluations 200000] [--rounds 7]
//
// Each round evaluates all three policies `evaluations` times on requests that alternate
// between passing and failing (so neither side is measured on one branch only), then the
// baseline the same way; rounds alternate which side goes first. Reported: median time per
// policy evaluation (µs), the ratio to the baseline, and the target (≤ 100 µs per policy).
import { performance } from 'node:perf_hooks';
import { celInput, compilePolicy, evaluatePolicy } from '../packages/model/dist/index.js';
import { arg, median, round } from './lib.mjs';

const evaluations = Number(arg('evaluations', '200000'));
const rounds = Number(arg('rounds', '7'));

const policy = (name, spec) => compilePolicy({ apiVersion: 'paved.dev/v1alpha1', kind: 'Policy', metadata: { name, owner: 'platform' }, spec: { version: '1.0.0', ...spec } });
const policies = [
  policy('large-only-in-prod', { match: { plans: ['large'] }, validations: [{ expression: 'request.environment == "prod"', message: 'large is for prod' }] }),
  policy('three-databases-in-dev', { match: { products: ['postgres'], environments: ['dev'] }, validations: [{ expression: 'usage.environment < 3', message: 'at most 3 in dev' }] }),
  policy('name-starts-with-service', { validations: [{ expression: 'request.service == "" || request.name.startsWith(request.service + "-")', message: 'named after the service' }] }),
];

/** The same three rules by hand. */
const plain = [
  (i) => i.request.plan !== 'large' || i.request.environment === 'prod',
  (i) => i.request.product !== 'postgres' || i.request.environment !== 'dev' || i.usage.environment < 3,
  (i) => i.request.service === '' || i.request.name.startsWith(`${i.request.service}-`),
];

function input(n) {
  const failing = (n & 1) === 1;
  return {
    request: {
      operation: 'create', name: failing ? 'orders-db' : 'checkout-db', product: 'postgres', version: '1.2.0', plan: 'large', inputs: { extensions: ['citext'] },
      environment: 'dev', service: 'checkout', interface: 'cli', user: 'alice',
    },
    team: { name: 'payments', title: 'Payments', platform: false },
    product: { name: 'postgres', version: '1.2.0', owner: 'data', lifecycle: 'ga', driver: 'postgres', tags: ['database'] },
    plan: { name: 'large', values: { connectionLimit: 200 } },
    environment: { name: 'dev', targetSelector: {} },
    usage: { team: 5, product: 3, plan: 1, environment: failing ? 3 : 2, inEnvironment: 4 },
  };
}
const inputs = [input(0), input(1)];
// As Paved does per request: the CEL view of the input is built once and shared by every policy.
const cels = inputs.map(celInput);

let sink = 0;
function cel() {
  const start = performance.now();
  for (let n = 0; n < evaluations; n++) {
    const k = n & 1;
    for (const p of policies) if (evaluatePolicy(p, inputs[k], cels[k]).result === 'failed') sink++;
  }
  return ((performance.now() - start) * 1000) / (evaluations * policies.length);
}
function baseline() {
  const start = performance.now();
  for (let n = 0; n < evaluations; n++) {
    const i = inputs[n & 1];
    for (const rule of plain) if (!rule(i)) sink++;
  }
  return ((performance.now() - start) * 1000) / (evaluations * plain.length);
}
// Per request, once: building the CEL view of the input (not per policy).
function conversion() {
  const start = performance.now();
  for (let n = 0; n < evaluations; n++) if (celInput(inputs[n & 1]).usage) sink++;
  return ((performance.now() - start) * 1000) / evaluations;
}

cel(); baseline(); conversion(); // warm up the JIT on both sides
const times = { cel: [], baseline: [], conversion: [] };
for (let r = 0; r < rounds; r++) {
  const order = r & 1 ? ['baseline', 'cel'] : ['cel', 'baseline'];
  for (const side of order) times[side].push(side === 'cel' ? cel() : baseline());
  times.conversion.push(conversion());
}
const perPolicy = median(times.cel);
const base = median(times.baseline);
const result = {
  bench: 'policy-eval', evaluations, rounds, policies: policies.length,
  celMicrosPerPolicy: round(perPolicy, 3), baselineMicrosPerPolicy: round(base, 4), ratio: round(perPolicy / base, 1),
  inputConversionMicrosPerRequest: round(median(times.conversion), 3), targetMicrosPerPolicy: 100, met: perPolicy <= 100, sink,
};
console.log(JSON.stringify(result));
console.error(`policy evaluation: ${result.celMicrosPerPolicy} µs per policy (CEL) vs ${result.baselineMicrosPerPolicy} µs (plain JS), ratio ${result.ratio}; `
  + `input conversion ${result.inputConversionMicrosPerRequest} µs per request; target ≤ 100 µs per policy: ${result.met ? 'met' : 'NOT met'}`);
