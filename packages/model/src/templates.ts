import { InputError } from './errors.js';

/**
 * Golden-path templates: the one substitution Paved performs on a template's files. It is
 * deliberately tiny — `{{name}}` (spaces inside the braces allowed) is replaced by a value, and
 * nothing else happens: no expressions, loops, includes or code, so a template is data and
 * rendering one can never run anything. The server checks a template's placeholders with the
 * same functions the CLI renders with, so a template that loads also renders.
 */

/** Placeholders every template may use without declaring them. */
export const BUILTIN_TEMPLATE_VARIABLES = ['service', 'team', 'port'] as const;

/** The placeholder grammar: `{{ identifier }}`; any other `{{` text is left as it is. */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** The variable names a text uses, each once, in order of first use. */
export function templatePlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/**
 * Replaces every placeholder with its value. A placeholder with no value is an InputError
 * naming `where` (the file being rendered): a template must never produce a half-rendered file.
 */
export function renderTemplateText(text: string, values: Readonly<Record<string, string>>, where: string): string {
  const missing = templatePlaceholders(text).filter((name) => !Object.hasOwn(values, name));
  if (missing.length > 0) {
    const message = `uses ${missing.map((name) => `{{${name}}}`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} neither built in (${BUILTIN_TEMPLATE_VARIABLES.join(', ')}) nor a declared parameter`;
    throw new InputError(`${where} ${message}`, { code: 'template_variable_unknown', issues: [{ path: where, message }] });
  }
  // A replacer function, not a replacement string: a value containing `$&` stays literal.
  return text.replace(PLACEHOLDER, (_match, name: string) => values[name]!);
}
