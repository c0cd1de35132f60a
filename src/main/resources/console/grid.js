// A virtual-scrolling grid: only the rows in view (plus a margin) exist in the DOM, so 100,000 rows stay smooth.
import { el, clear, text } from './dom.js';

const ROW_HEIGHT = 24;
const OVERSCAN = 10;

export class Grid {
  constructor(container) {
    this.box = container;
    this.columns = [];
    this.rows = [];
    this.masked = new Set();
    this.box.addEventListener('scroll', () => this.paint());
  }

  /** columns: [{name, type}], rows: arrays, masked: set of column names whose values policy masked. */
  show(columns, rows, masked) {
    this.columns = columns;
    this.rows = rows;
    this.masked = masked;
    const header = el('div', { class: 'grid-row grid-head', role: 'row' },
      el('div', { class: 'grid-cell grid-num' }, '#'),
      ...columns.map((c) => el('div', { class: 'grid-cell' + (masked.has(c.name) ? ' masked-col' : ''), role: 'columnheader', title: c.type },
        el('span', { class: 'col-name' }, c.name), ' ', el('span', { class: 'col-type' }, c.type),
        masked.has(c.name) ? el('span', { class: 'mask-badge', title: 'values masked by policy' }, 'masked') : null)));
    this.spacer = el('div', { class: 'grid-spacer' });
    this.spacer.style.height = (rows.length * ROW_HEIGHT) + 'px';
    this.body = el('div', { class: 'grid-body' });
    clear(this.box).append(header, this.spacer);
    this.spacer.append(this.body);
    this.box.scrollTop = 0;
    this.paint();
  }

  clear() {
    this.rows = [];
    clear(this.box);
  }

  paint() {
    if (!this.body) return;
    const top = Math.max(0, this.box.scrollTop - ROW_HEIGHT); // header height
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(this.box.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(this.rows.length, first + count);
    this.body.style.transform = 'translateY(' + (first * ROW_HEIGHT) + 'px)';
    const out = [];
    for (let i = first; i < last; i++) {
      const row = this.rows[i];
      const cells = [el('div', { class: 'grid-cell grid-num' }, i + 1)];
      for (let c = 0; c < this.columns.length; c++) {
        const v = row[c];
        const masked = this.masked.has(this.columns[c].name);
        cells.push(el('div', { class: 'grid-cell' + (v === null ? ' null' : '') + (masked ? ' masked' : ''),
          title: masked ? 'masked by policy' : null }, v === null ? 'NULL' : text(v)));
      }
      out.push(el('div', { class: 'grid-row', role: 'row', 'data-row': i }, ...cells));
    }
    this.body.replaceChildren(...out);
  }
}

/** CSV text of an answer (RFC 4180 quoting). */
export function toCsv(columns, rows) {
  const q = (v) => {
    const s = v === null || v === undefined ? '' : text(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [columns.map((c) => q(c.name)).join(','), ...rows.map((r) => r.map(q).join(','))].join('\r\n') + '\r\n';
}
