// A plain SVG bar or line chart of one column over another; labels are SVG text nodes (never markup).
import { svg, clear, text } from './dom.js';

const W = 720, H = 280, PAD_L = 60, PAD_B = 70, PAD_T = 12, PAD_R = 12, MAX_POINTS = 200;

export function drawChart(box, kind, columns, rows, xIndex, yIndex) {
  clear(box);
  const pts = rows.slice(0, MAX_POINTS).map((r) => ({ x: text(r[xIndex]), y: Number(r[yIndex]) })).filter((p) => Number.isFinite(p.y));
  const root = svg('svg', { id: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img',
    'aria-label': `${columns[yIndex].name} by ${columns[xIndex].name}` });
  if (pts.length === 0) {
    root.append(svg('text', { x: PAD_L, y: H / 2, class: 'chart-label' }, 'no numeric values in ' + columns[yIndex].name));
    box.append(root);
    return;
  }
  const max = Math.max(0, ...pts.map((p) => p.y));
  const min = Math.min(0, ...pts.map((p) => p.y));
  const span = max - min || 1;
  const plotW = W - PAD_L - PAD_R, plotH = H - PAD_T - PAD_B;
  const step = plotW / pts.length;
  const yOf = (v) => PAD_T + plotH - ((v - min) / span) * plotH;
  root.append(svg('line', { x1: PAD_L, y1: yOf(0), x2: W - PAD_R, y2: yOf(0), class: 'chart-axis' }));
  root.append(svg('line', { x1: PAD_L, y1: PAD_T, x2: PAD_L, y2: PAD_T + plotH, class: 'chart-axis' }));
  for (const v of [min, (min + max) / 2, max]) {
    root.append(svg('text', { x: PAD_L - 6, y: yOf(v) + 4, class: 'chart-label', 'text-anchor': 'end' }, formatNum(v)));
  }
  if (kind === 'line') {
    const d = pts.map((p, i) => (i ? 'L' : 'M') + (PAD_L + step * (i + 0.5)).toFixed(1) + ' ' + yOf(p.y).toFixed(1)).join(' ');
    root.append(svg('path', { d, class: 'chart-line' }));
  }
  const labelEvery = Math.ceil(pts.length / 30);
  pts.forEach((p, i) => {
    const cx = PAD_L + step * (i + 0.5);
    if (kind === 'bar') {
      const y0 = yOf(Math.max(0, p.y)), y1 = yOf(Math.min(0, p.y));
      root.append(svg('rect', { x: cx - step * 0.4, y: y0, width: Math.max(1, step * 0.8), height: Math.max(1, y1 - y0), class: 'chart-bar' },
        svg('title', {}, `${p.x}: ${p.y}`)));
    } else {
      root.append(svg('circle', { cx, cy: yOf(p.y), r: 3, class: 'chart-dot' }, svg('title', {}, `${p.x}: ${p.y}`)));
    }
    if (i % labelEvery === 0) {
      const label = p.x.length > 18 ? p.x.slice(0, 17) + '…' : p.x;
      root.append(svg('text', { x: cx, y: PAD_T + plotH + 12, class: 'chart-label x-label', 'text-anchor': 'end',
        transform: `rotate(-40 ${cx} ${PAD_T + plotH + 12})` }, label));
    }
  });
  box.append(root);
}

function formatNum(v) {
  return Math.abs(v) >= 1000 ? v.toLocaleString('en', { maximumFractionDigits: 0 }) : String(Math.round(v * 100) / 100);
}
