// Type-ahead search over entities (countries, regions, ASNs) through /entities/query.
import {entities} from './api.js';
import {el} from './util.js';

const TYPE_ORDER = {country: 0, region: 1, asn: 2};

// Exact code or name matches first, then names starting with the query, then countries before
// regions before networks ("kazakh" shows Kazakhstan before Kazakhtelecom).
function rank(items, q) {
  const lq = q.toLowerCase();
  const key = (e) => {
    const name = String(e.name || '').toLowerCase(), code = String(e.code || '').toLowerCase();
    const exact = code === lq || name === lq ? 0 : 1;
    const prefix = name.startsWith(lq) || code.startsWith(lq) ? 0 : 1;
    return [exact, prefix, TYPE_ORDER[e.type] ?? 3, name];
  };
  return items.map((e) => [key(e), e]).sort(([a], [b]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  }).map(([, e]) => e);
}

export function setupSearch(input, list, onPick) {
  let timer = null, items = [], active = -1, seq = 0;
  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
  };
  let lastQuery = '';
  const render = () => {
    if (!items.length && lastQuery) {
      // Say so rather than show nothing.
      list.replaceChildren(el('li', {class: 'no-results', id: 'search-none', role: 'option', 'aria-disabled': 'true'},
          `No results for “${lastQuery}”. Try a country, region or network name, an ISO code (KZ, KZ-ALA) or AS number (AS9198).`));
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      return;
    }
    list.replaceChildren(...items.map((e, i) => el('li', {
      role: 'option', id: `sr-${i}`, 'aria-selected': i === active ? 'true' : 'false',
      class: i === active ? 'active' : '', 'data-entity': `${e.type}/${e.code}`,
      onmousedown: (ev) => {
        ev.preventDefault();
        pick(i);
      }}, el('span', {class: 'etype', text: e.type}), ` ${e.name} `, el('span', {class: 'ecode', text: e.code}))));
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
  };
  const pick = (i) => {
    const e = items[i];
    if (!e) return;
    input.value = e.name;
    close();
    onPick(`${e.type}/${e.code}`);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) return close();
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        // "AS9198" is how people write a network; the API searches its number.
        const asn = /^as\s*(\d+)$/i.exec(q);
        const found = await entities({search: asn ? asn[1] : q, limit: 12});
        if (mine !== seq) return;
        items = rank(found || [], asn ? asn[1] : q);
        lastQuery = q;
        active = items.length ? 0 : -1;
        render();
      } catch {
        close();
      }
    }, 120);
  });
  input.addEventListener('keydown', (ev) => {
    if (list.hidden || !items.length) return;
    if (ev.key === 'ArrowDown') active = Math.min(items.length - 1, active + 1);
    else if (ev.key === 'ArrowUp') active = Math.max(0, active - 1);
    else if (ev.key === 'Enter') return pick(active);
    else if (ev.key === 'Escape') return close();
    else return;
    ev.preventDefault();
    render();
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}
