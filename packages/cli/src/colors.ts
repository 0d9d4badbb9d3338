import pc from 'picocolors';
import type { Io } from './io.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colour only for people: off when NO_COLOR is set (any value, https://no-color.org) or stdout is not a terminal. */
export function colorsEnabled(io: Pick<Io, 'env' | 'stdout'>): boolean {
  return io.env.NO_COLOR === undefined && io.stdout.isTTY === true;
}

export function createColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
