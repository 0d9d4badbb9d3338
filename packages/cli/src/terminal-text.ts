/**
 * Text from the API made safe to print on a terminal. What the CLI shows comes from other
 * people and programs (log lines a team's members or their apps shipped, an automation's error,
 * a product's description): a control sequence in it would be obeyed by the reader's terminal,
 * which can set the clipboard (OSC 52), rewrite or hide lines already shown (cursor moves,
 * erases, a carriage return), or plant links. Colours (SGR, `ESC [ … m`) are kept: apps colour
 * their logs and the CLI colours its own tables; every other control character is shown as
 * `\u00XX` instead of being sent. Only for people's output: json and yaml are data for
 * programs, left as the API returned them (both escape C0 control characters, not C1).
 */

/** An SGR sequence (colours and styles), kept; or one control character: C0 but tab, DEL, C1. */
const CONTROL = /\x1b\[[0-9;:]*m|[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with no control character but tab and colours. `newlines`: whether a line break
 * stays one (a table cell of several lines); a log line's break would start a line that looks
 * like the next one, so by default it is shown escaped too.
 */
export function printable(text: string, { newlines = false }: { newlines?: boolean } = {}): string {
  return text.replace(CONTROL, (match) => (match.length > 1 || (newlines && match === '\n') ? match : escaped(match)));
}
