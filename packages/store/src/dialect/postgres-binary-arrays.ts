/**
 * One-dimensional PostgreSQL arrays in the binary wire format (array_send / array_recv), for the
 * combined writes' `unnest($1::text[], …)` parameters (combined-write.ts). pg sends a JS array
 * as text, escaping every element (`escapeElement`: two regular expressions and a quoted copy
 * of each string), and PostgreSQL parses that text back (`array_in`); both were about 5–6 % of
 * each side's CPU in the engine's passes (bench/README §3 round 10). In binary, each element is
 * its length and its bytes: nothing to escape, nothing to parse. pg sends a Buffer parameter
 * in binary format as it is; PostgreSQL reads it with the parameter's declared type (the
 * statement's cast), so the element type given here must be that type.
 *
 * Elements of another kind than the type expects (an object, a fraction for an integer…)
 * answer `undefined`: the caller then gives pg the plain array, sent as text as before, so
 * whatever pg and PostgreSQL did with such a value they still do.
 */

/** Element type OIDs (pg_type) of the arrays the combined writes send. */
const OID = { text: 25, integer: 23, bigint: 20 } as const;
export type BinaryElementType = keyof typeof OID;

/** ndim, has-null flag, element type, then the one dimension's length and lower bound. */
const HEADER_BYTES = 20;
const TWO_TO_32 = 4294967296;

function header(buffer: Buffer, type: BinaryElementType, length: number, hasNull: boolean): void {
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(hasNull ? 1 : 0, 4);
  buffer.writeInt32BE(OID[type], 8);
  buffer.writeInt32BE(length, 12);
  buffer.writeInt32BE(1, 16);
}

/**
 * The array's size in bytes and whether an element is null; undefined when an element is not of
 * the kind `elementBytes` takes (it answers undefined for it).
 */
function measure(values: readonly unknown[], elementBytes: (value: unknown) => number | undefined): { bytes: number; hasNull: boolean } | undefined {
  let bytes = HEADER_BYTES;
  let hasNull = false;
  for (const value of values) {
    if (value === null || value === undefined) {
      hasNull = true;
      bytes += 4;
      continue;
    }
    const size = elementBytes(value);
    if (size === undefined) return undefined;
    bytes += 4 + size;
  }
  return { bytes, hasNull };
}

function textArray(values: readonly unknown[]): Buffer | undefined {
  const measured = measure(values, (value) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : undefined));
  if (measured === undefined) return undefined;
  const buffer = Buffer.allocUnsafe(measured.bytes);
  header(buffer, 'text', values.length, measured.hasNull);
  let at = HEADER_BYTES;
  for (const value of values) {
    if (typeof value !== 'string') {
      buffer.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    const written = buffer.write(value, at + 4, 'utf8');
    buffer.writeInt32BE(written, at);
    at += 4 + written;
  }
  return buffer;
}

function integerArray(values: readonly unknown[], type: 'integer' | 'bigint'): Buffer | undefined {
  const size = type === 'integer' ? 4 : 8;
  const fits = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && (type === 'bigint' || (value >= -2147483648 && value <= 2147483647));
  const measured = measure(values, (value) => (fits(value) ? size : undefined));
  if (measured === undefined) return undefined;
  const buffer = Buffer.allocUnsafe(measured.bytes);
  header(buffer, type, values.length, measured.hasNull);
  let at = HEADER_BYTES;
  for (const value of values) {
    if (typeof value !== 'number') {
      buffer.writeInt32BE(-1, at);
      at += 4;
    } else if (size === 4) {
      buffer.writeInt32BE(4, at);
      buffer.writeInt32BE(value, at + 4);
      at += 8;
    } else {
      // Two's complement over 64 bits from a safe integer: the high word rounds down, the low word is what remains.
      const high = Math.floor(value / TWO_TO_32);
      buffer.writeInt32BE(8, at);
      buffer.writeInt32BE(high, at + 4);
      buffer.writeUInt32BE(value - high * TWO_TO_32, at + 8);
      at += 12;
    }
  }
  return buffer;
}

/**
 * `values` as a binary array of `type` (a Buffer, which pg sends in binary format), or the
 * values themselves when one of them is not of that type (pg then sends them as text, as before).
 */
export function binaryArray(type: BinaryElementType, values: readonly unknown[]): Buffer | readonly unknown[] {
  return (type === 'text' ? textArray(values) : integerArray(values, type)) ?? values;
}
