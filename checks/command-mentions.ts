import type { Command, Option } from 'commander';
import ts from 'typescript';

/**
 * Finds `paved …` command lines in messages, comments and docs, and checks them against the
 * CLI's real command tree (commander's). Used by command-names.test.ts; kept apart so that its
 * rules are tested on their own.
 *
 * What counts as a mention, so that prose never does:
 * - the word `paved` in lower case, not part of a longer name (`@paved/model`, `paved.dev`,
 *   `packages/paved`, `paved-x`, `Paved`), followed by a space and a token;
 * - in TypeScript, inside a string or template literal (a message), or inside `code` in a
 *   comment; never an identifier;
 * - in Markdown, inside code: fenced blocks and `inline code` (in prose, "paved exits with the
 *   child's exit code" names the program, not a command line).
 * A mention ends at the end of its line, at a run of spaces ("paved env X   or   paved run …",
 * alignment before `# comment`), at the quote that opened it, at a shell operator or comment
 * (`|`, `;`, `&&`, `>`, `#`), a parenthesis, `--`, or a word that ends a sentence ("… paved get NAME.").
 *
 * What is checked, so that prose after a command never is: the subcommand path where the tree
 * branches (`paved products get` fails: products has `list` and `show`), every `--flag`/`-f`
 * against the command and its ancestors (the global `--team`, `-o`…), and a literal value of
 * an option with choices (`-o xml`). The number of positional words is not: a message may go
 * on in prose after the command ("paved init writes only into a new folder").
 */

export interface Mention {
  /** Relative to the repository root. */
  file: string;
  line: number;
  /** The mention as found, from `paved` to where it ends. */
  text: string;
}

/** Stands for a `${…}` of a template literal: any value, never a command or flag name. */
const HOLE = '${…}';

/** Where `paved` starts a command line: not preceded by a name character, followed by a space and more. */
const START = /(?<![\w@./:$\\-])paved(?= +\S)/g;

/** Each mention in `text` (a string, a line of code, a flattened code span), with its offset. */
export function mentionsIn(text: string): { offset: number; text: string }[] {
  const found: { offset: number; text: string }[] = [];
  for (const match of text.matchAll(START)) {
    const offset = match.index!;
    let rest = text.slice(offset).split('\n')[0]!;
    const quote = text[offset - 1];
    if (quote === '"' || quote === "'" || quote === '`') {
      const close = rest.indexOf(quote);
      if (close !== -1) rest = rest.slice(0, close);
    }
    found.push({ offset, text: rest.split(/ {2,}|\t/)[0]!.trimEnd() });
  }
  return found;
}

/**
 * Mentions in the `code spans` of prose (a Markdown paragraph, a comment), each with its
 * 0-based line within `text`. A span may wrap onto following lines (a comment's leading `*`
 * is dropped) but never crosses a blank line.
 */
export function mentionsInCodeSpans(text: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  for (const span of text.matchAll(/(`+)([\s\S]+?)\1(?!`)/g)) {
    const code = span[2]!;
    if (/\n[\s*]*\n/.test(code)) continue;
    const startLine = text.slice(0, span.index!).split('\n').length - 1;
    const [first, ...more] = code.split('\n');
    let flat = first!;
    const breaks: number[] = [];
    for (const part of more) {
      breaks.push(flat.length);
      flat += ` ${part.replace(/^[ \t]*(\*(?!\/) ?)?/, '')}`;
    }
    for (const mention of mentionsIn(flat)) {
      found.push({ line: startLine + breaks.filter((at) => at < mention.offset).length, text: mention.text });
    }
  }
  return found;
}

/** Mentions in the messages (string and template literals) and the comments' code of one TypeScript file. */
export function mentionsInTypeScript(file: string, source: string): Mention[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const lineOf = (position: number) => sf.getLineAndCharacterOfPosition(position).line + 1;
  const mentions: Mention[] = [];
  const fromLiteral = (node: ts.Node, cooked: string) => {
    const start = node.getStart(sf);
    const raw = source.slice(start, node.end);
    for (const mention of mentionsIn(cooked)) {
      // `paved` holds no escape sequence, so the k-th one in the cooked text is the k-th in the source.
      const k = cooked.slice(0, mention.offset).split('paved').length - 1;
      let at = -1;
      for (let i = 0; i <= k; i++) at = raw.indexOf('paved', at + 1);
      mentions.push({ file, line: lineOf(start + Math.max(at, 0)), text: mention.text });
    }
  };
  const comments = new Map<number, ts.CommentRange>();
  const visit = (node: ts.Node): void => {
    for (const range of [...(ts.getLeadingCommentRanges(source, node.pos) ?? []), ...(ts.getTrailingCommentRanges(source, node.end) ?? [])]) comments.set(range.pos, range);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) fromLiteral(node, node.text);
    else if (ts.isTemplateExpression(node)) fromLiteral(node, node.head.text + node.templateSpans.map((span) => HOLE + span.literal.text).join(''));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const range of comments.values()) {
    for (const mention of mentionsInCodeSpans(source.slice(range.pos, range.end))) {
      mentions.push({ file, line: lineOf(range.pos) + mention.line, text: mention.text });
    }
  }
  return mentions.sort((a, b) => a.line - b.line);
}

/** Mentions in the code (fenced blocks, inline code) of one Markdown file. */
export function mentionsInMarkdown(file: string, source: string): Mention[] {
  const mentions: Mention[] = [];
  let fence: string | undefined;
  let paragraph: { firstLine: number; lines: string[] } | undefined;
  const endParagraph = () => {
    if (paragraph === undefined) return;
    for (const mention of mentionsInCodeSpans(paragraph.lines.join('\n'))) mentions.push({ file, line: paragraph.firstLine + mention.line, text: mention.text });
    paragraph = undefined;
  };
  source.split('\n').forEach((text, index) => {
    const line = index + 1;
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      else for (const mention of mentionsIn(text)) mentions.push({ file, line, text: mention.text });
    } else if (marker !== undefined) {
      endParagraph();
      fence = marker;
    } else if (text.trim() === '') {
      endParagraph();
    } else {
      paragraph ??= { firstLine: line, lines: [] };
      paragraph.lines.push(text);
    }
  });
  endParagraph();
  return mentions;
}

/** The words of a mention after `paved`, up to where the command line ends; `[-f|--follow]` gives both flags. */
function wordsOf(mention: string): string[] {
  const words: string[] = [];
  let depth = 0;
  for (const token of mention.replace(/^paved\s+/, '').split(/\s+/)) {
    if (token === '') continue;
    if (token === '|' && depth > 0) continue; // alternatives in a usage line: [--prefix P | --no-prefix]
    if (token === '--' || /^(#|\||;|&|>|\d>|<<)/.test(token) || /[();]/.test(token)) break;
    depth = Math.max(0, depth + (token.match(/\[/g)?.length ?? 0) - (token.match(/\]/g)?.length ?? 0));
    const word = token.replace(/^\[+/, '').replace(/[\]…]+/g, '');
    const ends = /[.,:!?]$/.test(word);
    const bare = word.replace(/[.,:!?]+$/, '');
    if (/^-/.test(bare) && bare.includes('|')) words.push(...bare.split('|'));
    else if (bare !== '') words.push(bare);
    if (ends) break;
  }
  return words;
}

/** A word that stands for a value: NAME, <name>, {{service}}, $VAR, a template hole. */
const isPlaceholder = (word: string) => /^[A-Z][A-Z0-9_-]*$/.test(word) || /^[<{$]/.test(word) || word.includes(HOLE);

const isFlag = (word: string) => /^-{1,2}[A-Za-z]/.test(word);

/** The options of `command` and its ancestors (whose options, like `--team`, apply to it too). */
function optionsOf(command: Command): Option[] {
  const all: Option[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) all.push(...(at.options as readonly Option[]));
  return all;
}

function subcommand(command: Command, word: string): Command | undefined {
  return command.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** The default subcommand (`paved products` runs `paved products list`), if any. */
function defaultSubcommand(command: Command): Command | undefined {
  const name = (command as unknown as { _defaultCommandName?: string })._defaultCommandName;
  return name === undefined ? undefined : subcommand(command, name);
}

/** `paved teams create`, for messages. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** What is wrong with a mention, in words for the person fixing it; undefined when the CLI takes it. */
export function problemWith(program: Command, mention: string): string | undefined {
  const words = wordsOf(mention);
  let command = program;
  let positionals = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (isFlag(word)) {
      const flag = word.split('=')[0]!;
      if (flag.includes(HOLE) || flag === '--help' || flag === '-h') continue;
      // `paved --version` is handled by main() before commander; nothing follows it.
      if ((flag === '--version' || flag === '-V') && command === program && i === 0) return undefined;
      const option = optionsOf(command).find((o) => o.long === flag || o.short === flag);
      if (option === undefined) {
        const takes = [...new Set(optionsOf(command).map((o) => o.long ?? o.short))].join(', ');
        return `\`${pathOf(command)}\` has no option ${flag} (it takes ${takes || 'none'})`;
      }
      if (!option.required && !option.optional) continue;
      const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : option.required || !isFlag(words[i + 1] ?? '-') ? words[++i] : undefined;
      const choices = option.argChoices;
      if (value !== undefined && choices !== undefined && /^[a-z][a-z0-9-]*$/.test(value) && !choices.includes(value)) {
        return `\`${pathOf(command)} ${flag}\` takes ${choices.join(', ')}, not ${value}`;
      }
      continue;
    }
    // After the first argument, words are arguments (or prose): nothing more to resolve.
    if (positionals > 0) continue;
    if (command === program && isPlaceholder(word)) return undefined; // `paved COMMAND --help`
    const next = subcommand(command, word);
    if (next !== undefined) {
      command = next;
      continue;
    }
    if (command.commands.length > 0 && command.registeredArguments.length === 0) {
      const fallback = defaultSubcommand(command);
      if (fallback !== undefined && fallback.registeredArguments.length > 0) command = fallback;
      else if (!isPlaceholder(word)) {
        if (command === program) return `there is no command \`paved ${word}\``;
        return `\`${pathOf(command)}\` has no subcommand ${word} (it has ${command.commands.map((c) => c.name()).join(', ')})`;
      }
    }
    positionals++;
  }
  return undefined;
}
