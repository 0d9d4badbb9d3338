import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '#typebox';
import { validatorCompiler } from './validation.js';

/**
 * Each route's schemas compiled on its first request instead of when the server starts: Fastify
 * would generate and compile ~160 response serializers (fast-json-stringify, one per route and
 * status) and ~300 TypeBox validators up front, most of which an idle server never runs, and
 * keep their source and code (bench/README.md §9). A schema that cannot be compiled now fails
 * the first request of its route (a 500, logged with the compiler's error) instead of the start.
 */
function once<F extends (...args: never[]) => unknown>(compile: () => F): F {
  let compiled: F | undefined;
  return ((...args: Parameters<F>) => (compiled ??= compile())(...args)) as F;
}

export const lazyValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => once(() => validatorCompiler(route));

/** Fastify's own serializer factory (`schemaController.compilersFactory.buildSerializer`), compiling on first use. */
export function lazySerializerFactory(): SerializerFactory {
  const factory = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = factory(externalSchemas, options);
    return (route) => once(() => compile(route));
  };
}
