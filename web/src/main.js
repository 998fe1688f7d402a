// Entry point: routes between the overview and entity pages from the URL, and keeps the URL in
// step with what is shown so every view can be shared and the back button works.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import {meta, onProvenance} from './api.js';
import {renderOverview} from './overview.js';
import {setupSearch} from './search.js';
import * as state from './state.js';
import {el, parseTime} from './util.js';

const app = document.getElementById('app');
let defaultWindow = null;
let renderSeq = 0;

// With no window in the URL, show the days around the newest event (the data may be historical,
// as the Kazakhstan scenario is); with no events at all, the last 7 days.
async function findDefaultWindow() {
  if (defaultWindow) return defaultWindow;
  const now = Math.floor(Date.now() / 1000);
  let from = now - 7 * 86400, until = now;
  try {
    const feed = await (await fetch('/feeds/events.json')).json();
    const starts = (feed.items || []).map((i) => i._blackout?.start ?? Date.parse(i.date_published) / 1000)
        .filter((t) => Number.isFinite(t));
    if (starts.length) {
      const newest = Math.max(...starts);
      const oldest = Math.max(Math.min(...starts), newest - 20 * 86400);
      from = Math.floor((oldest - 2 * 86400) / 86400) * 86400;
      until = Math.min(from + 30 * 86400, Math.ceil((newest + 6 * 86400) / 86400) * 86400);
    }
  } catch { /* keep the last 7 days */ }
  defaultWindow = {from, until};
  return defaultWindow;
}

async function render() {
  const s = state.read();
  let from = parseTime(s.from), until = parseTime(s.until);
  // The feed is only needed when the URL does not pin the window.
  if (from == null || until == null) {
    const win = await findDefaultWindow();
    from = from ?? win.from;
    until = until ?? win.until;
  }
  const st = {...s, from, until, local: s.tz === 'local'};
  document.getElementById('tz-local').checked = st.local;
  const day = (t) => new Date(t * 1000).toISOString().slice(0, 10);
  document.getElementById('win-from').value = day(from);
  // The window's end is exclusive: a window ending at midnight shows the day before as its last.
  document.getElementById('win-until').value = day(until % 86400 === 0 ? until - 86400 : until);
  // Views render after their requests finish; when the user has moved on meanwhile (a quick
  // click, the back button), the older view must not replace the newer one.
  const mine = ++renderSeq;
  const target = {replaceChildren: (...nodes) => mine === renderSeq && app.replaceChildren(...nodes)};
  app.setAttribute('aria-busy', 'true');
  try {
    const entityOk = s.entity && /^(country|region|asn)\/[A-Za-z0-9._-]+$/.test(s.entity);
    // The entity page and the report (uPlot, Markdown) load on first use; the overview does not
    // wait for them.
    if (entityOk && s.view === 'report') await (await import('./report.js')).renderReport(target, st, nav);
    else if (entityOk) await (await import('./entity.js')).renderEntity(target, st, nav);
    else await renderOverview(target, st, nav);
  } catch (e) {
    target.replaceChildren(el('p', {class: 'error', role: 'alert'}, `Could not load: ${e.message}`));
  }
  if (mine === renderSeq) app.setAttribute('aria-busy', 'false');
}

// Merges `change` into the URL state and re-renders; the window is pinned in the URL so the
// address alone reproduces the view.
function nav(change) {
  const s = {...state.read(), ...change};
  // Another entity (or the overview) opens on its charts, not on the previous entity's report.
  if ('entity' in change && !('view' in change)) s.view = null;
  if (!s.from && defaultWindow) s.from = String(defaultWindow.from);
  if (!s.until && defaultWindow) s.until = String(defaultWindow.until);
  for (const k of Object.keys(s)) if (s[k] === null) delete s[k];
  state.write(s);
  render();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', render);
document.getElementById('window-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const from = parseTime(document.getElementById('win-from').value);
  const last = parseTime(document.getElementById('win-until').value);
  if (from == null || last == null || last < from) return;
  // Whole UTC days, the last one included.
  nav({from: String(from), until: String(last + 86400)});
});
document.getElementById('tz-local').addEventListener('change', (e) => nav({tz: e.target.checked ? 'local' : null}));
document.querySelector('.brand').addEventListener('click', (e) => {
  e.preventDefault();
  nav({entity: null, map: null});
});
setupSearch(document.getElementById('search'), document.getElementById('search-results'),
            (entity) => nav({entity, map: null}));
// Where the numbers come from, from every API answer's metadata.provenance: a SIMULATION banner
// when the data are simulated (in the provenance's own words), and the sources actually ingested
// in the footer. With real sources there is no banner and the footer lists those sources.
onProvenance((p) => {
  const n = document.getElementById('notice');
  n.textContent = p.simulation ? p.notice || 'SIMULATION: the data shown are simulated, not measured.' : '';
  n.hidden = !p.simulation;
  const src = document.getElementById('sources');
  if (src && p.sources) src.textContent = p.sources;
});
meta().catch(() => {});
render();
