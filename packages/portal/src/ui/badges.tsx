import type { Phase } from '@paved/model';

export function LifecycleBadge({ lifecycle }: { lifecycle: string }) {
  return <span className={`badge lc-${lifecycle}`}>{lifecycle}</span>;
}

/** The phase in words and colour; the word carries the meaning, the colour only repeats it. */
export function PhaseBadge({ phase }: { phase: Phase | string }) {
  return <span className={`badge phase-${phase.toLowerCase()}`}>{phase}</span>;
}

/** Milliseconds as people read them: 850 ms, 4.2 s, 3 min, 2.5 h. */
export function duration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export function percent(share: number | undefined | null): string {
  return share === undefined || share === null ? '—' : `${Math.round(share * 100)} %`;
}
