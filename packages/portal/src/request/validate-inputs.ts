import { Validator } from '@cfworker/json-schema';

/** One thing wrong with a request's settings: where (a JSON pointer), which rule, and what, in words. */
export interface FieldError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}

/** Wrappers that only say "a part did not match": their parts' own errors say what. */
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', '$ref', 'additionalProperties', 'unevaluatedProperties']);

/**
 * Checks a request's inputs against the product's JSON Schema (draft 2020-12, as the server
 * does) before they are sent. @cfworker/json-schema interprets the schema instead of compiling
 * it to code, so it runs under the page's Content-Security-Policy, which forbids eval (JSON
 * Forms' own Ajv validation compiles with `new Function` and is switched off for that reason).
 * The server validates again: this is for saying it early, under the form.
 */
export function createInputValidator(schema: Record<string, unknown>): (data: unknown) => FieldError[] {
  const validator = new Validator(schema as never, '2020-12', false);
  return (data) => validator.validate(data).errors
    .filter((e) => !WRAPPERS.has(e.keyword))
    .map((e) => {
      const instancePath = e.instanceLocation.replace(/^#/, '');
      const missing = e.keyword === 'required' ? /"([^"]+)"/.exec(e.error)?.[1] : undefined;
      return {
        instancePath,
        schemaPath: e.keywordLocation,
        keyword: e.keyword,
        params: missing ? { missingProperty: missing } : {},
        message: e.keyword === 'required' ? 'is required' : e.error.replace(/\.$/, ''),
      };
    });
}
