/**
 * A new id for an instance or an event: a UUID of version 7 (RFC 9562), the creation
 * millisecond first, then 74 random bits. Made in time order, new ids go at the end of the
 * store's indexes on them (instances, events, instance_requests) instead of at random places:
 * a random UUID dirtied a different index page for nearly every row, and each commit wrote all
 * of those pages (bench/README.md §3: inserting 100,000 requests). Unguessable as before; the
 * creation time they reveal is in the row anyway.
 */
export function newId(now: number = Date.now()): string {
  const bytes = randomBytes16();
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  let hex = '';
  for (const byte of bytes) hex += HEX[byte];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Random bytes drawn 4 KiB at a time: one getRandomValues call per id cost more than the rest of making it.
const pool = new Uint8Array(4096);
let used = pool.length;
function randomBytes16(): Uint8Array {
  if (used + 16 > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    used = 0;
  }
  used += 16;
  return pool.slice(used - 16, used);
}
