import { useMemo } from 'react';
import dagre from '@dagrejs/dagre';
import type { Instance, Service } from '@paved/model';

/** Beyond this many instances the picture stops being readable; the tables above list them all. */
const MAX_INSTANCES = 60;
const NODE = { width: 170, height: 36 };

interface Node { id: string; label: string; kind: 'service' | 'instance' | 'product'; x: number; y: number }

/** Lays out service → instance → product left to right with dagre and draws it as SVG. */
export default function TeamGraph({ services, instances }: { services: Service[]; instances: Instance[] }) {
  const shown = instances.slice(0, MAX_INSTANCES);
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 60, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    const kinds = new Map<string, Node['kind']>();
    const add = (id: string, label: string, kind: Node['kind']) => { kinds.set(id, kind); g.setNode(id, { label, ...NODE }); };
    for (const s of services) add(`s:${s.name}`, s.name, 'service');
    for (const i of shown) {
      add(`i:${i.name}`, i.name, 'instance');
      add(`p:${i.product}`, i.product, 'product');
      g.setEdge(`i:${i.name}`, `p:${i.product}`);
      if (i.workload && kinds.has(`s:${i.workload.service}`)) g.setEdge(`s:${i.workload.service}`, `i:${i.name}`);
    }
    dagre.layout(g);
    const nodes: Node[] = g.nodes().map((id) => {
      const n = g.node(id) as { x: number; y: number; label: string };
      return { id, label: n.label, kind: kinds.get(id)!, x: n.x, y: n.y };
    });
    const edges = g.edges().map((e) => ({ key: `${e.v}->${e.w}`, points: (g.edge(e) as { points: { x: number; y: number }[] }).points }));
    const size = g.graph() as { width?: number; height?: number };
    return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
  }, [services, instances]);

  if (layout.nodes.length === 0) return <p className="empty">Nothing to draw yet.</p>;
  const clip = (s: string) => (s.length > 20 ? `${s.slice(0, 19)}…` : s);
  return (
    <figure className="graph">
      <div className="scroll">
        <svg role="img" aria-labelledby="graph-caption" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" /></marker>
          </defs>
          {layout.edges.map((e) => (
            <polyline key={e.key} className="edge" markerEnd="url(#arrow)" points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} />
          ))}
          {layout.nodes.map((n) => (
            <g key={n.id} className={`node ${n.kind}`} transform={`translate(${n.x - NODE.width / 2},${n.y - NODE.height / 2})`}>
              <title>{`${n.kind} ${n.label}`}</title>
              <rect width={NODE.width} height={NODE.height} rx={6} />
              <text x={NODE.width / 2} y={NODE.height / 2 + 5} textAnchor="middle">{clip(n.label)}</text>
            </g>
          ))}
        </svg>
      </div>
      <figcaption id="graph-caption">
        {services.length} services, {shown.length} instances{instances.length > shown.length ? ` (first ${MAX_INSTANCES} of ${instances.length})` : ''} and the products they are made of. Services on the left, products on the right.
      </figcaption>
    </figure>
  );
}
