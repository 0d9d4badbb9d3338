import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from '#typebox';
import { createRequire } from 'node:module';
import type * as TypeboxCompile from '#typebox/compile';
import type * as TypeboxValue from '#typebox/value';

const require = createRequire(import.meta.url);
let typebox: { Compile: typeof TypeboxCompile.Compile; Value: typeof TypeboxValue.Value } | undefined;
/**
 * TypeBox's compiler and value functions (~300 modules, 400 KB of source beyond the type
 * builders every schema uses), loaded when the first validator is compiled, on a route's first
 * request (lazy-compilers.ts): an idle `paved up` held them from the start (bench/README.md §9).
 * Node ≥ 20.19 requires these ES modules synchronously, as Fastify compiles.
 */
function typeboxCompiler(): NonNullable<typeof typebox> {
  return (typebox ??= {
    Compile: (require('#typebox/compile') as typeof TypeboxCompile).Compile,
    Value: (require('#typebox/value') as typeof TypeboxValue).Value,
  });
}

/**
 * TypeBox validation of requests, as @fastify/type-provider-typebox's TypeBoxValidatorCompiler
 * (values of the path, query string and headers are converted to the schema's types, e.g. a
 * query's `limit=50` to a number; bodies never are), checking first: a value that already fits
 * (a path's names, always strings) is taken as it is, and only one that does not fit is
 * converted and checked again. Converting every value of every request, fitting or not, was
 * ≈ 4 % of the server's CPU under read load (bench/README.md §2).
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const { Compile, Value } = typeboxCompiler();
  const typeCheck = Compile(schema);
  const refused = (value: unknown) => ({ error: typeCheck.Errors(value) as FastifySchemaValidationError[] });
  return (value) => {
    if (typeCheck.Check(value)) return { value };
    if (httpPart === 'body') return refused(value);
    const converted = Value.Convert(schema, value);
    return typeCheck.Check(converted) ? { value: converted } : refused(converted);
  };
};
