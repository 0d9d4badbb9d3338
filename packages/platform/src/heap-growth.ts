import { setFlagsFromString } from 'node:v8';

/** How far past what the last full GC kept the old generation may grow before the next one, in %. */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Bounds how much garbage V8's old generation may gather between two full GCs. V8 grows it by up
 * to 4× what the last one kept when GC looks cheap beside the program: while `paved up`
 * provisioned 10,000 instances its old generation went from 26 to 98 MB (36 MB live) without a
 * full GC, and V8 gave the pages back only 100 s after the last full GC (its memory reducer's
 * watchdog), so the idle server held ~190 MiB a minute after the burst (bench/README.md §9,
 * round 3). At 30 % (V8's own factor for memory-constrained devices is 1.3) the process ran ~9
 * full GCs of ~20 ms instead of 2 (both at start-up), at no measured cost in provisioning time.
 *
 * A V8 flag read at each full GC, so setting it after start takes effect; set once per process,
 * before the platform starts its work.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
