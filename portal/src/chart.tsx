/**
 * A small accessible SVG line chart (no chart library: one series, dated points): a title and a
 * description for screen readers, and the same numbers in a table beside it for those who would
 * rather read than look.
 */
export interface Point {
  at: Date;
  value: number;
}

export function LineChart(p: { title: string; unit: string; points: Point[]; fromZero?: boolean }) {
  const pts = [...p.points].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (pts.length === 0) return <p>No {p.title.toLowerCase()} recorded yet.</p>;
  const W = 600;
  const H = 220;
  const pad = { l: 48, r: 16, t: 16, b: 36 };
  const t0 = pts[0]!.at.getTime();
  const t1 = Math.max(pts.at(-1)!.at.getTime(), t0 + 1);
  const vs = pts.map((x) => x.value);
  const v0 = p.fromZero ? 0 : Math.min(...vs);
  const v1 = Math.max(...vs, v0 + 1);
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - ((v - v0) / (v1 - v0)) * (H - pad.t - pad.b);
  const path = pts.map((q, i) => `${i ? 'L' : 'M'}${x(q.at.getTime()).toFixed(1)},${y(q.value).toFixed(1)}`).join(' ');
  const desc = `${pts.length} values from ${pts[0]!.at.toLocaleDateString()} to ${pts.at(-1)!.at.toLocaleDateString()}, between ${v0} and ${Math.max(...vs)} ${p.unit}`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">{p.title}</title>
        <desc id="chart-desc">{desc}</desc>
        <line x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} stroke="#555" />
        <line x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} stroke="#555" />
        <text x={pad.l - 6} y={y(v1) + 4} text-anchor="end" font-size="12" fill="#222">{v1}</text>
        <text x={pad.l - 6} y={y(v0) + 4} text-anchor="end" font-size="12" fill="#222">{v0}</text>
        <text x={pad.l} y={H - 12} font-size="12" fill="#222">{pts[0]!.at.toLocaleDateString()}</text>
        <text x={W - pad.r} y={H - 12} text-anchor="end" font-size="12" fill="#222">{pts.at(-1)!.at.toLocaleDateString()}</text>
        <path d={path} fill="none" stroke="#0b5cad" stroke-width="2.5" />
        {pts.map((q) => (
          <circle cx={x(q.at.getTime())} cy={y(q.value)} r="4" fill="#0b5cad" />
        ))}
      </svg>
      <figcaption>
        {p.title} ({p.unit}): {desc}
      </figcaption>
    </figure>
  );
}
