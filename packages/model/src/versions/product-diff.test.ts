import { describe, expect, it } from 'vitest';
import { exampleProductManifest } from '../manifest-example.js';
import type { ProductManifest } from '../types.js';
import { diffProductVersions } from './product-diff.js';
import { describeChange } from './version-change.js';

/** The example product with an input schema that has something of every kind to narrow. */
function base(): ProductManifest {
  const m = exampleProductManifest();
  m.spec.version = '1.0.0';
  m.spec.inputs = {
    type: 'object',
    properties: {
      size: { type: 'integer', minimum: 1, maximum: 100 },
      tier: { type: 'string', enum: ['bronze', 'silver', 'gold'] },
      label: { type: 'string', maxLength: 40, minLength: 1 },
      owner: { type: 'string' },
      ratio: { type: 'number' },
      tags: { type: 'array', items: { type: 'string' } },
      settings: { type: 'object', properties: { level: { type: 'integer', maximum: 9 } } },
    },
    required: ['size'],
  };
  return m;
}

function next(change: (m: ProductManifest) => void): ProductManifest {
  const m = base();
  m.spec.version = '1.1.0';
  change(m);
  return m;
}

function inputs(m: ProductManifest): Record<string, any> {
  return (m.spec.inputs as { properties: Record<string, any> }).properties;
}

/** The breaking changes of `change`, as `path: message` lines. */
function breaks(change: (m: ProductManifest) => void): string[] {
  return diffProductVersions(base(), next(change)).breaking.map(describeChange);
}

function compatible(change: (m: ProductManifest) => void): string[] {
  const diff = diffProductVersions(base(), next(change));
  expect(diff.breaking).toEqual([]);
  return diff.nonBreaking.map(describeChange);
}

describe('diffProductVersions: breaking changes, one case per kind', () => {
  it('an output removed', () => {
    expect(breaks((m) => delete m.spec.outputs.password)).toEqual(['outputs.password: removed']);
  });
  it('a plan removed', () => {
    expect(breaks((m) => delete m.spec.plans.large)).toEqual(['plans.large: removed']);
  });
  it('a required input added', () => {
    expect(breaks((m) => {
      inputs(m).region = { type: 'string' };
      (m.spec.inputs as { required: string[] }).required.push('region');
    })).toEqual(['inputs.properties.region: added as required']);
  });
  it('an optional input made required', () => {
    expect(breaks((m) => (m.spec.inputs as { required: string[] }).required.push('owner'))).toEqual(['inputs.properties.owner: became required']);
  });
  it('enum values removed', () => {
    expect(breaks((m) => (inputs(m).tier.enum = ['silver']))).toEqual(['inputs.properties.tier.enum: removed "bronze", "gold"']);
  });
  it('an enum added to a free input', () => {
    expect(breaks((m) => (inputs(m).owner.enum = ['a', 'b']))).toEqual(['inputs.properties.owner.enum: added (only "a", "b" allowed)']);
  });
  it('a minimum raised', () => {
    expect(breaks((m) => (inputs(m).size.minimum = 10))).toEqual(['inputs.properties.size.minimum: raised from 1 to 10']);
  });
  it('a maximum lowered', () => {
    expect(breaks((m) => (inputs(m).size.maximum = 50))).toEqual(['inputs.properties.size.maximum: lowered from 100 to 50']);
  });
  it('a maximum added', () => {
    expect(breaks((m) => (inputs(m).ratio.maximum = 1))).toEqual(['inputs.properties.ratio.maximum: added (1)']);
  });
  it('an exclusiveMinimum added', () => {
    expect(breaks((m) => (inputs(m).ratio.exclusiveMinimum = 0))).toEqual(['inputs.properties.ratio.exclusiveMinimum: added (0)']);
  });
  it('a maxLength lowered', () => {
    expect(breaks((m) => (inputs(m).label.maxLength = 20))).toEqual(['inputs.properties.label.maxLength: lowered from 40 to 20']);
  });
  it('a minLength raised', () => {
    expect(breaks((m) => (inputs(m).label.minLength = 3))).toEqual(['inputs.properties.label.minLength: raised from 1 to 3']);
  });
  it('a maxItems added', () => {
    expect(breaks((m) => (inputs(m).tags.maxItems = 5))).toEqual(['inputs.properties.tags.maxItems: added (5)']);
  });
  it('a pattern added', () => {
    expect(breaks((m) => (inputs(m).owner.pattern = '^[a-z]+$'))).toEqual(['inputs.properties.owner.pattern: added ("^[a-z]+$")']);
  });
  it('a pattern changed', () => {
    const from = base();
    inputs(from).owner.pattern = '^[a-z]+$';
    const to = next((m) => (inputs(m).owner.pattern = '^[a-z]{3}$'));
    expect(diffProductVersions(from, to).breaking.map(describeChange)).toEqual(['inputs.properties.owner.pattern: changed from "^[a-z]+$" to "^[a-z]{3}$"']);
  });
  it('a format added', () => {
    expect(breaks((m) => (inputs(m).owner.format = 'email'))).toEqual(['inputs.properties.owner.format: added ("email")']);
  });
  it('a type changed', () => {
    expect(breaks((m) => (inputs(m).owner.type = 'integer'))).toEqual(['inputs.properties.owner.type: changed from string to integer']);
  });
  it('a type narrowed from number to integer', () => {
    expect(breaks((m) => (inputs(m).ratio.type = 'integer'))).toEqual(['inputs.properties.ratio.type: changed from number to integer']);
  });
  it('a type union narrowed', () => {
    const from = base();
    inputs(from).owner.type = ['string', 'null'];
    expect(diffProductVersions(from, next(() => {})).breaking.map(describeChange)).toEqual(['inputs.properties.owner.type: changed from string | null to string']);
  });
  it('unknown inputs refused (additionalProperties: false)', () => {
    expect(breaks((m) => ((m.spec.inputs as Record<string, unknown>).additionalProperties = false))).toEqual([
      'inputs.additionalProperties: now false (unknown inputs are refused)',
    ]);
  });
  it('a narrowing inside a nested object and inside array items', () => {
    expect(breaks((m) => {
      inputs(m).settings.properties.level.maximum = 5;
      inputs(m).tags.items.maxLength = 10;
    })).toEqual(['inputs.properties.settings.properties.level.maximum: lowered from 9 to 5', 'inputs.properties.tags.items.maxLength: added (10)']);
  });
  it('a keyword it does not model (oneOf) added', () => {
    expect(breaks((m) => (inputs(m).owner.oneOf = [{ minLength: 2 }]))).toEqual(['inputs.properties.owner.oneOf: added']);
  });
  it('a secret output made non-secret', () => {
    expect(breaks((m) => (m.spec.outputs.password = {}))).toEqual(['outputs.password.secret: changed from secret to non-secret']);
  });
  it('a plain output made secret', () => {
    expect(breaks((m) => (m.spec.outputs.host = { secret: true }))).toEqual(['outputs.host.secret: changed from non-secret to secret']);
  });
  it('the driver changed', () => {
    expect(breaks((m) => (m.spec.driver = 'mysql'))).toEqual(['driver: changed from postgres to mysql']);
  });
  it('names every break at once', () => {
    expect(breaks((m) => {
      delete m.spec.outputs.password;
      inputs(m).size.maximum = 50;
    })).toEqual(['outputs.password: removed', 'inputs.properties.size.maximum: lowered from 100 to 50']);
  });
});

describe('diffProductVersions: compatible changes', () => {
  it('an identical version has no changes', () => {
    const diff = diffProductVersions(base(), next(() => {}));
    expect(diff).toEqual({ product: 'postgres', from: '1.0.0', to: '1.1.0', breaking: [], nonBreaking: [] });
  });
  it('outputs and plans added, optional inputs added or removed', () => {
    expect(compatible((m) => {
      m.spec.outputs.replicaHost = {};
      m.spec.plans.huge = { values: {} };
      inputs(m).zone = { type: 'string' };
      delete inputs(m).owner;
    })).toEqual(['plans.huge: added', 'outputs.replicaHost: added', 'inputs.properties.owner: removed', 'inputs.properties.zone: added']);
  });
  it('ranges widened, enum values added, patterns and required dropped', () => {
    expect(compatible((m) => {
      inputs(m).size.maximum = 200;
      inputs(m).size.minimum = 0;
      inputs(m).tier.enum = ['bronze', 'silver', 'gold', 'platinum'];
      inputs(m).label.maxLength = 80;
      (m.spec.inputs as { required: string[] }).required = [];
      inputs(m).ratio.type = ['number', 'null'];
    })).toEqual([
      'inputs.properties.label.maxLength: raised from 40 to 80',
      'inputs.properties.ratio.type: widened from number to number | null',
      'inputs.properties.size: became optional',
      'inputs.properties.size.minimum: lowered from 1 to 0',
      'inputs.properties.size.maximum: raised from 100 to 200',
      'inputs.properties.tier.enum: added "platinum"',
    ]);
  });
  it('integer widened to number, descriptions and defaults changed', () => {
    expect(compatible((m) => {
      inputs(m).size.type = 'number';
      inputs(m).owner.description = 'who';
      inputs(m).owner.default = 'me';
    })).toEqual([
      'inputs.properties.owner.default: changed',
      'inputs.properties.owner.description: changed',
      'inputs.properties.size.type: widened from integer to number',
    ]);
  });
  it('a plan changed and a plain output made plain again are not breaks', () => {
    expect(compatible((m) => {
      m.spec.plans.small = { default: true, values: { connectionLimit: 40 } };
      m.spec.outputs.host = { description: 'the host', secret: false };
    })).toEqual(['plans.small: changed']);
  });
});
