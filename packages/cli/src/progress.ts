import type { Io } from './io.js';
import { printable } from './terminal-text.js';

export interface Progress {
  /** Shows the current state; repeated identical text is not reprinted. */
  update(text: string): void;
  /** Stops any animation and clears its line. */
  stop(): void;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Whether progress may animate: a terminal on stderr and neither NO_COLOR nor CI set. */
export function canAnimate(io: Pick<Io, 'env' | 'stderr'>): boolean {
  return io.stderr.isTTY === true && io.env.NO_COLOR === undefined && !io.env.CI;
}

/** Progress on stderr, so stdout keeps only data: a spinner on a terminal, one line per change elsewhere. */
export function createProgress(io: Pick<Io, 'env' | 'stderr'>): Progress {
  const progress = createRawProgress(io);
  // The status shown is a driver's or an automation's message: printable only (terminal-text.ts).
  return { update: (text) => progress.update(printable(text)), stop: () => progress.stop() };
}

function createRawProgress(io: Pick<Io, 'env' | 'stderr'>): Progress {
  let last = '';
  if (!canAnimate(io)) {
    return {
      update(text) {
        if (text !== last) io.stderr.write(`${text}\n`);
        last = text;
      },
      stop() {},
    };
  }
  let frame = 0;
  const draw = () => io.stderr.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${last}`);
  const timer = setInterval(draw, 80);
  timer.unref?.();
  return {
    update(text) {
      last = text;
      draw();
    },
    stop() {
      clearInterval(timer);
      io.stderr.write('\r\x1b[2K');
    },
  };
}
