// The SQL editor: a transparent textarea over a highlighted <pre>, completion of tables and columns, Ctrl+Enter.
import { el, clear } from './dom.js';

const KEYWORDS = new Set(('select from where and or not in is null like ilike between join left right full outer inner cross on as ' +
  'group by order having limit offset with union all distinct case when then else end asc desc count sum avg min max ' +
  'true false cast interval over partition exists any filter using natural lateral coalesce date timestamp').split(' '));
const TOKEN = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|([^A-Za-z0-9_'"-]+|-)/g;

export class Editor {
  constructor(textarea, pre, list, onRun) {
    this.ta = textarea;
    this.pre = pre;
    this.list = list;
    this.onRun = onRun;
    this.tables = []; // [{name, columns: [{name, type}]}]
    this.items = [];
    this.selected = 0;
    this.ta.addEventListener('input', () => { this.highlight(); this.complete(); });
    this.ta.addEventListener('scroll', () => { this.pre.scrollTop = this.ta.scrollTop; this.pre.scrollLeft = this.ta.scrollLeft; });
    this.ta.addEventListener('keydown', (e) => this.key(e));
    this.ta.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    this.highlight();
  }

  get value() { return this.ta.value; }

  set value(v) {
    this.ta.value = v;
    this.highlight();
  }

  setCatalog(tables) { this.tables = tables; }

  highlight() {
    const out = [];
    const src = this.ta.value;
    for (const m of src.matchAll(TOKEN)) {
      const [t, comment, str, quoted, num, word] = m;
      let cls = null;
      if (comment) cls = 'tok-comment';
      else if (str) cls = 'tok-string';
      else if (quoted) cls = 'tok-ident';
      else if (num) cls = 'tok-number';
      else if (word && KEYWORDS.has(word.toLowerCase())) cls = 'tok-keyword';
      else if (word && this.tables.some((tb) => tb.name.split('.')[0] === word)) cls = 'tok-table';
      out.push(cls ? el('span', { class: cls }, t) : document.createTextNode(t));
    }
    out.push(document.createTextNode('\n')); // keeps the last line's height when the text ends in a newline
    clear(this.pre).append(...out);
  }

  key(e) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      this.close();
      this.onRun();
      return;
    }
    if (this.list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.selected = (this.selected + (e.key === 'ArrowDown' ? 1 : this.items.length - 1)) % this.items.length;
      this.render();
    } else if (e.key === 'Tab' || e.key === 'Enter') {
      e.preventDefault();
      this.accept(this.items[this.selected]);
    } else if (e.key === 'Escape') {
      this.close();
    }
  }

  /** The word being typed before the caret, with a qualifier ("gh." or "github."). */
  word() {
    const before = this.ta.value.slice(0, this.ta.selectionStart);
    const m = /([A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
    return { qualifier: m[1] ? m[1].slice(0, -1) : null, prefix: m[2] || '', start: this.ta.selectionStart - (m[2] || '').length };
  }

  /** Aliases of the statement: "github.pull_requests gh" and "jira.issues AS j" give gh and j. */
  aliases() {
    const map = new Map();
    const re = /\b([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?/gi;
    for (const m of this.ta.value.matchAll(re)) {
      const table = this.tables.find((t) => t.name.toLowerCase() === m[1].toLowerCase());
      if (!table) continue;
      map.set(table.name.split('.')[1].toLowerCase(), table);
      if (m[2] && !KEYWORDS.has(m[2].toLowerCase())) map.set(m[2].toLowerCase(), table);
    }
    return map;
  }

  complete() {
    const { qualifier, prefix } = this.word();
    const p = prefix.toLowerCase();
    let items = [];
    if (qualifier) {
      const q = qualifier.toLowerCase();
      const table = this.aliases().get(q);
      if (table) {
        items = table.columns.filter((c) => c.name.startsWith(p)).map((c) => ({ label: c.name, detail: c.type + (c.masked ? ' · masked' : ''), insert: c.name }));
      } else {
        items = this.tables.filter((t) => t.name.startsWith(q + '.') && t.name.split('.')[1].startsWith(p))
          .map((t) => ({ label: t.name, detail: 'table', insert: t.name.split('.')[1] }));
      }
    } else if (p.length >= 1) {
      const used = new Set(this.aliases().values());
      const cols = [...used].flatMap((t) => t.columns.map((c) => ({ label: c.name, detail: t.name + ' · ' + c.type, insert: c.name })));
      items = [...this.tables.map((t) => ({ label: t.name, detail: 'table', insert: t.name })), ...cols]
        .filter((i) => i.label.toLowerCase().startsWith(p) && i.label.toLowerCase() !== p);
    }
    const seen = new Set();
    this.items = items.filter((i) => !seen.has(i.label + i.detail) && seen.add(i.label + i.detail)).slice(0, 12);
    this.selected = 0;
    if (this.items.length === 0) this.close(); else this.render();
  }

  render() {
    clear(this.list).append(...this.items.map((item, i) => {
      const li = el('li', { class: i === this.selected ? 'selected' : '', role: 'option' }, el('b', {}, item.label), ' ', el('small', {}, item.detail));
      li.addEventListener('mousedown', (e) => { e.preventDefault(); this.accept(item); });
      return li;
    }));
    this.list.hidden = false;
  }

  accept(item) {
    const { start } = this.word();
    const end = this.ta.selectionStart;
    this.ta.setRangeText(item.insert, start, end, 'end');
    this.close();
    this.highlight();
    this.ta.focus();
  }

  close() {
    this.list.hidden = true;
    this.items = [];
  }
}
