import ts from 'typescript';

/**
 * Which error codes the source raises, read from its syntax (the TypeScript parser, so comments,
 * strings that merely mention a code, and formatting never matter). Used by
 * error-catalogue.test.ts; kept apart so that its rules are tested on their own.
 *
 * A code is raised where:
 * - a Paved error is constructed (`new DriverError(message, { code: … })`); without a `code`,
 *   the class's default code (`super(message, 'driver_failed', options)` in model's errors.ts).
 *   The kind is the class's.
 * - an object literal outside such a constructor has `code: '…'` (the server's problem parts,
 *   its table of Fastify request errors); a sibling `status: 413` is that code's HTTP status.
 * The value of `code` may be a string, a ternary (both branches), `dynamic ?? 'fallback'` (the
 * fallback; the dynamic part passes a code through), a `const` holding a string, or a parameter
 * of the enclosing function: then every call of that function gives its argument (or the
 * parameter's default). A value in a Paved error that is none of these is reported as
 * unresolved, so that nothing is skipped in silence.
 */

export interface ErrorClass {
  kind: string;
  defaultCode: string;
}

export interface RaisedCode {
  code: string;
  /** The Paved error kind, when raised by constructing a Paved error. */
  kind?: string;
  /** An HTTP status of its own, when the raising object literal gives one. */
  status?: number;
  file: string;
  line: number;
}

export interface Unresolved {
  file: string;
  line: number;
  expression: string;
}

export interface SourceFile {
  /** Relative to the repository root. */
  file: string;
  text: string;
}

const CODE = /^[a-z][a-z0-9_]*$/;

/** The Paved error classes of model's errors.ts: each one's kind and default code. */
export function errorClasses(source: string): Map<string, ErrorClass> {
  const sf = ts.createSourceFile('errors.ts', source, ts.ScriptTarget.Latest, true);
  const classes = new Map<string, ErrorClass>();
  for (const statement of sf.statements) {
    if (!ts.isClassDeclaration(statement) || statement.name === undefined) continue;
    const extendsPaved = statement.heritageClauses?.some((h) => h.types.some((t) => t.expression.getText(sf) === 'PavedError'));
    if (!extendsPaved) continue;
    let kind: string | undefined;
    let defaultCode: string | undefined;
    for (const member of statement.members) {
      if (ts.isPropertyDeclaration(member) && member.name.getText(sf) === 'kind' && member.initializer !== undefined) {
        const value = ts.isAsExpression(member.initializer) ? member.initializer.expression : member.initializer;
        if (ts.isStringLiteral(value)) kind = value.text;
      }
      if (ts.isConstructorDeclaration(member)) {
        member.body?.forEachChild(function find(node): void {
          if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword && node.arguments[1] && ts.isStringLiteral(node.arguments[1])) {
            defaultCode = node.arguments[1].text;
          }
          node.forEachChild(find);
        });
      }
    }
    if (kind !== undefined && defaultCode !== undefined) classes.set(statement.name.text, { kind, defaultCode });
  }
  return classes;
}

interface Parsed extends SourceFile {
  sf: ts.SourceFile;
}

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

/** The name a function is called by: its own, or the variable it is assigned to. */
function functionName(fn: FunctionLike): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name !== undefined) return fn.name.getText();
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

/** Every code raised in `files`, what could not be resolved, given model's error classes. */
export function raisedCodes(files: readonly SourceFile[], classes: ReadonlyMap<string, ErrorClass>): { raised: RaisedCode[]; unresolved: Unresolved[] } {
  const parsed: Parsed[] = files.map((f) => ({ ...f, sf: ts.createSourceFile(f.file, f.text, ts.ScriptTarget.Latest, true) }));
  const raised: RaisedCode[] = [];
  const unresolved: Unresolved[] = [];

  // Module-level `const NAME = 'code'` of every file: constants such as DRIVER_PENDING.
  const constants = new Map<string, string>();
  for (const { sf } of parsed) {
    for (const statement of sf.statements) {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isStringLiteral(d.initializer)) constants.set(d.name.text, d.initializer.text);
      }
    }
  }

  // Calls by function name, to follow a code passed into a helper.
  const calls = new Map<string, { call: ts.CallExpression; file: Parsed }[]>();
  for (const file of parsed) {
    file.sf.forEachChild(function visit(node): void {
      if (ts.isCallExpression(node)) {
        const callee = ts.isIdentifier(node.expression) ? node.expression.text : ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined;
        if (callee !== undefined) calls.set(callee, [...(calls.get(callee) ?? []), { call: node, file }]);
      }
      node.forEachChild(visit);
    });
  }

  const lineOf = (file: Parsed, node: ts.Node) => file.sf.getLineAndCharacterOfPosition(node.getStart(file.sf)).line + 1;

  /** The codes `expression` can be, or undefined when it cannot be told from the source. */
  function resolve(expression: ts.Expression, file: Parsed, seen: Set<ts.Node>): string[] | undefined {
    if (seen.has(expression)) return [];
    seen.add(expression);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return [expression.text];
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression)) return resolve(expression.expression, file, seen);
    if (ts.isConditionalExpression(expression)) {
      const a = resolve(expression.whenTrue, file, seen);
      const b = resolve(expression.whenFalse, file, seen);
      return a === undefined || b === undefined ? undefined : [...a, ...b];
    }
    if (ts.isBinaryExpression(expression) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(expression.operatorToken.kind)) {
      return resolve(expression.right, file, seen);
    }
    if (ts.isIdentifier(expression)) return resolveIdentifier(expression, file, seen);
    return undefined;
  }

  function resolveIdentifier(identifier: ts.Identifier, file: Parsed, seen: Set<ts.Node>): string[] | undefined {
    // A parameter of an enclosing function: its default, and what every call passes.
    for (let node: ts.Node = identifier; node.parent !== undefined; node = node.parent) {
      if (!(ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node))) continue;
      const index = node.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === identifier.text);
      if (index === -1) continue;
      const parameter = node.parameters[index]!;
      const codes: string[] = [];
      if (parameter.initializer !== undefined) {
        const fallback = resolve(parameter.initializer, file, seen);
        if (fallback === undefined) return undefined;
        codes.push(...fallback);
      }
      const name = functionName(node);
      if (name === undefined) return undefined;
      for (const { call, file: at } of calls.get(name) ?? []) {
        const argument = call.arguments[index];
        if (argument === undefined) continue;
        const passed = resolve(argument, at, seen);
        if (passed === undefined) return undefined;
        codes.push(...passed);
      }
      return codes;
    }
    const constant = constants.get(identifier.text);
    return constant === undefined ? undefined : [constant];
  }

  /** The Paved error class an options object literal is passed to, if any. */
  function pavedErrorOf(literal: ts.ObjectLiteralExpression): ErrorClass | undefined {
    const parent = literal.parent;
    if (!ts.isNewExpression(parent) || !ts.isIdentifier(parent.expression)) return undefined;
    return classes.get(parent.expression.text);
  }

  for (const file of parsed) {
    file.sf.forEachChild(function visit(node): void {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && classes.has(node.expression.text)) {
        const errorClass = classes.get(node.expression.text)!;
        const options = node.arguments?.[1];
        const hasCode = options !== undefined && ts.isObjectLiteralExpression(options) && options.properties.some((p) => p.name?.getText(file.sf) === 'code');
        if (options !== undefined && ts.isIdentifier(options)) {
          // Options built elsewhere (the client re-raising a problem's code): their `code: '…'`
          // literal, if any, is found where it is written; the class may fall back to its default.
          raised.push({ code: errorClass.defaultCode, kind: errorClass.kind, file: file.file, line: lineOf(file, node) });
        } else if (options !== undefined && !ts.isObjectLiteralExpression(options)) {
          unresolved.push({ file: file.file, line: lineOf(file, node), expression: `options ${options.getText(file.sf)}` });
        } else if (!hasCode) {
          raised.push({ code: errorClass.defaultCode, kind: errorClass.kind, file: file.file, line: lineOf(file, node) });
        }
      }
      if (ts.isObjectLiteralExpression(node)) {
        const property = node.properties.find((p) => p.name?.getText(file.sf) === 'code');
        const errorClass = pavedErrorOf(node);
        if (property !== undefined) {
          const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
          const codes = value === undefined ? undefined : resolve(value, file, new Set());
          const status = node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(file.sf) === 'status');
          const ownStatus = status !== undefined && ts.isNumericLiteral(status.initializer) ? Number(status.initializer.text) : undefined;
          if (codes === undefined) {
            // Outside a Paved error, a `code` that is not a literal passes a code on (problem parts).
            if (errorClass !== undefined) unresolved.push({ file: file.file, line: lineOf(file, property), expression: property.getText(file.sf) });
          } else {
            // Outside a Paved error, other values are other codes (Fastify's FST_ERR_…, errno).
            if (errorClass !== undefined) {
              for (const code of codes.filter((c) => !CODE.test(c))) unresolved.push({ file: file.file, line: lineOf(file, property), expression: `'${code}' is not a snake_case code` });
            }
            for (const code of codes.filter((c) => CODE.test(c))) {
              raised.push({ code, ...(errorClass ? { kind: errorClass.kind } : {}), ...(ownStatus === undefined ? {} : { status: ownStatus }), file: file.file, line: lineOf(file, property) });
            }
          }
        }
      }
      node.forEachChild(visit);
    });
  }
  for (const errorClass of classes.values()) raised.push({ code: errorClass.defaultCode, kind: errorClass.kind, file: 'packages/model/src/errors.ts', line: 0 });
  return { raised, unresolved };
}
