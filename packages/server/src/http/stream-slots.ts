import { QuotaError } from '@paved/model';

/** Open event streams (instance watches and log follows together) one user may hold. */
export const DEFAULT_STREAMS_PER_USER = 20;

/**
 * Counts the event streams each user holds open, across every streaming route of the app. An
 * open stream costs a connection, a subscription and a timer for as long as the client likes,
 * so one user (or one stolen token) must not be able to open them without bound.
 */
export class StreamSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly perUser: number = DEFAULT_STREAMS_PER_USER) {}

  /**
   * Takes one of `userId`'s slots and returns the function that frees it (safe to call twice);
   * throws 429 `too_many_streams` when the user holds them all.
   */
  take(userId: string): () => void {
    const count = this.held.get(userId) ?? 0;
    if (count >= this.perUser) {
      throw new QuotaError(`You have ${count} watch or log-follow streams open, the most allowed (${this.perUser}); close one first`, {
        code: 'too_many_streams',
      });
    }
    this.held.set(userId, count + 1);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      const left = (this.held.get(userId) ?? 1) - 1;
      if (left > 0) this.held.set(userId, left);
      else this.held.delete(userId);
    };
  }
}
