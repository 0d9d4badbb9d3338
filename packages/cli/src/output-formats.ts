/** The formats of `-o`: a module of their own, as the root program needs them without output.ts's libraries. */
export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];
