import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
}

const COLOURS = ['#1f5fbf', '#b3411d', '#2e7d32', '#7b3fa0', '#8a6d00', '#00798c', '#c2185b', '#5d4037'];

/**
 * A line chart with uPlot (canvas; its legend shows the numbers under the pointer) and the same
 * numbers as a table, which is what a screen reader or a keyboard user reads.
 */
export function Chart({ title, labels, series, format = (v) => String(v) }: {
  title: string;
  /** One label per point (a week, a window), oldest first. */
  labels: string[];
  series: Series[];
  format?(value: number): string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    const element = box.current;
    if (!element || labels.length === 0) return;
    const data: uPlot.AlignedData = [labels.map((_, i) => i), ...series.map((s) => s.values)];
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 220,
      scales: { x: { time: false } },
      axes: [
        { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? labels[t] ?? '' : '')), space: 60 },
        { values: (_u, ticks) => ticks.map((t) => format(t)), size: 60 },
      ],
      series: [
        { label: 'Period', value: (_u, v) => (v === null ? '—' : labels[v] ?? '') },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
        })),
      ],
    };
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [labels, series, format]);

  return (
    <figure className="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>{title}</figcaption>
      {labels.length === 0 ? <p className="empty">No data in this period yet.</p> : (
        <>
          <div ref={box} className="plot" aria-hidden="true" />
          <details>
            <summary>The numbers as a table</summary>
            <div className="scroll">
              <table>
                <thead><tr><th scope="col">Period</th>{series.map((s) => <th key={s.label} scope="col">{s.label}</th>)}</tr></thead>
                <tbody>
                  {labels.map((label, i) => (
                    <tr key={label}>
                      <th scope="row">{label}</th>
                      {series.map((s) => <td key={s.label}>{s.values[i] === null || s.values[i] === undefined ? '—' : format(s.values[i]!)}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </figure>
  );
}
