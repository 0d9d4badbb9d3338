/**
 * Records of unauthenticated refusals (401 on a route that changes something) are kept to a
 * few per client address per minute, so that a flood of bad tokens cannot flood the audit log.
 * The ones left out are counted, and the count goes into the next record from that address.
 */
export class RefusalLimiter {
  private readonly windows = new Map<string, { start: number; recorded: number; suppressed: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    /** Addresses remembered at most; the least recently seen is forgotten first. */
    private readonly maxAddresses = 10_000,
  ) {}

  /** Whether to record this refusal, and if so how many were left out before it. */
  take(address: string): { record: false } | { record: true; suppressed: number } {
    const now = this.now();
    let window = this.windows.get(address);
    this.windows.delete(address);
    if (window === undefined || now - window.start >= 60_000) {
      window = { start: now, recorded: 0, suppressed: window?.suppressed ?? 0 };
    }
    this.windows.set(address, window);
    if (this.windows.size > this.maxAddresses) this.windows.delete(this.windows.keys().next().value!);
    if (window.recorded >= this.perMinute) {
      window.suppressed += 1;
      return { record: false };
    }
    window.recorded += 1;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    return { record: true, suppressed };
  }
}
