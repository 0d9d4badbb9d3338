import { InputError, type FieldIssue } from '../errors.js';
import type { ScoreLocator } from './types.js';

/** One problem of a Score file: the dotted path and what is wrong with it. */
export interface ScoreProblem {
  path: readonly string[];
  message: string;
}

/** `score.yaml:12:16: containers.web.variables.DB_HOST: …`, or `score: …` without a file. */
export function describeProblem(problem: ScoreProblem, locate: ScoreLocator | undefined, file = 'score'): string {
  const where = locate?.(problem.path);
  const prefix = where ? `${where.file}:${where.line}:${where.column}` : file;
  const path = problem.path.join('.');
  return `${prefix}: ${path ? `${path}: ` : ''}${problem.message}`;
}

/**
 * Every problem of a Score file as one InputError (code `score_invalid`): the message lists them
 * all, one per line, each naming file:line:column and the path; `issues` carries each path and
 * its bare message, so that a client holding the file can say where each one is.
 */
export function scoreError(problems: readonly ScoreProblem[], locate?: ScoreLocator, file?: string, code = 'score_invalid'): InputError {
  const lines = problems.map((p) => describeProblem(p, locate, file));
  const issues: FieldIssue[] = problems.map((p) => ({ path: p.path.join('.') || '(file)', message: p.message }));
  const message = lines.length === 1 ? lines[0]! : `${lines.length} problems in the Score file:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  return new InputError(message, { code, issues });
}
