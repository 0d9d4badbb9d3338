/**
 * The raw material of the OpenAPI fuzz test (openapi-fuzz.test.ts): a seeded random source and
 * the wrong values it draws from. Deterministic: the same seed gives the same requests.
 */

/** mulberry32: a small, fast, seedable generator; good enough to pick test cases. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
  };
}
export type Random = ReturnType<typeof seededRandom>;

/** `{"a":{"a":…}}` nested `depth` levels, as JSON text. */
export const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A value nested `depth` levels (built iteratively: it is the input, not the test, that may be deep). */
export function nestedValue(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** JSON values of every type and many sizes; each is wrong somewhere. */
export const WRONG_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, -0.000001, 1e308, -1e308, 2 ** 53 + 1, 99999999999999999999,
  '', ' ', 'x'.repeat(10_000), '\u0000', 'a\u0000b', '\ud800', '💩'.repeat(500), 'ä\u0301', '../../etc/passwd', "'; drop table teams; --",
  '<script>alert(1)</script>', '${jndi:ldap://x}', '__proto__', 'constructor', '99999999999d', '1970-01-01T00:00:00Z', '+275760-09-13T00:00:00Z',
  [], [1, 2, 3], Array.from({ length: 1_500 }, (_, i) => i), {}, { __proto__x: 1 }, { a: { b: { c: {} } } }, nestedValue(40),
];

/** Path segments a route's parameters never accept (patterns, lengths, encodings). */
export const WRONG_SEGMENTS: readonly string[] = [
  'A', 'UPPER', '1starts-with-digit', '-dash', 'x'.repeat(41), 'x'.repeat(5_000), 'a_b', 'a.b', '%00', '%2e%2e', '..%2F..%2Fetc',
  '%F0%9F%92%A9', '%ff', '%E0%A4%A', 'a%20b', "o'neil", '%27%3B%20drop%20table%20teams', '%7B%7D', '%', '%%', '%u0041', '%2F',
];

/** Query values for a parameter of the given JSON Schema type, all outside what it accepts. */
export function wrongQueryValues(schema: Record<string, unknown>): string[] {
  // Cursors that decode (base64url JSON) to keys no listing made: past bigint, negative, NUL, wrong shape.
  const cursors = [[1e308], [-1], [1.5], ['a\u0000', 'b'], ['x'], [{}, []], 'x'].map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));
  const common = ['', 'x'.repeat(5_000), '%00', 'a%00b', '%ff', '%', 'a%2Cb', '%5B%5D', ...cursors];
  if (schema.type === 'integer') {
    return [...common, 'abc', '1.5', '-1', '0', '1e309', '99999999999999999999999', '0x10', 'NaN', 'Infinity', String(Number(schema.maximum ?? 1e6) + 1)];
  }
  return [...common, '99999999999d', '-1d', '0s', '36501d', '+275760-09-13', '9999-99-99', '2024-13-45T99:99:99Z', '1e400s', 'x'.repeat(Number(schema.maxLength ?? 64) + 1)];
}

/** Headers that no route expects, one set per case. */
export const ODD_HEADERS: readonly Record<string, string>[] = [
  { accept: 'text/event-stream' }, { accept: 'application/xml' }, { accept: '*/*;q=abc' }, { 'accept-encoding': 'br;q=2, gzip;q=-1' },
  { 'content-type': 'application/json; charset=latin1' }, { 'if-none-match': '"x"'.repeat(1_000) }, { range: 'bytes=0-99999999999999999999' },
  { 'x-forwarded-for': '999.999.999.999' }, { 'x-request-id': '../../etc/passwd' }, { cookie: 'a=b; '.repeat(500) },
];
