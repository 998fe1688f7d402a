// Entity page (country, region or ASN): every signal normalised to its baseline or absolute,
// outages shaded, the events table, related regions and ASNs with small charts, CSV/PNG downloads.
import {entities, events as getEvents, signals, summary} from './api.js';
import {align, BAND_TEXT, bandSource, drawChart, label} from './chart.js';
import * as state from './state.js';
import {countryName, download, el, entityLabel, fmtDuration, fmtEnd, fmtTime, pct, toCsv} from './util.js';

// Which band the chart draws (chart.js): the detector's, the display baseline, or both.
const bandCaption = (aligned) => {
  const source = bandSource(aligned);
  const text = source === 'mixed' ? `${BAND_TEXT.detector}; signals marked "display baseline": ${BAND_TEXT.display}`
                                  : BAND_TEXT[source];
  return text.charAt(0).toUpperCase() + text.slice(1);
};

const toEvent = (e) => ({...e, end: e.status === 1 || e.duration == null ? null : e.start + e.duration});

export async function renderEntity(app, st, nav) {
  const [type, code] = st.entity.split('/');
  const {from, until, local} = st;
  const normalized = st.norm !== '0';
  const [series, evs, info] = await Promise.all([
    signals(type, code, from, until),
    getEvents({from, until, entityType: type, entityCode: code}).catch(() => []),
    entities({entityType: type, entityCode: code, limit: 1000}).catch(() => []),
  ]);
  const name = series.find((x) => x.entityName)?.entityName ||
      (info || []).find((e) => e.code === code)?.name || code;
  const events = (evs || []).map(toEvent);
  const chartBox = el('div', {class: 'chart', id: 'chart'});
  const aligned = series.length ? align(series, events) : null;
  // What is shown: the URL's window, narrowed by drag-to-zoom (which also rewrites the URL's
  // window in place, so a reload, a shared link or the report use the zoomed window).
  const shown = {from, until};
  const windowText = el('span', {class: 'muted', id: 'window'});
  const showWindow = () => (windowText.textContent =
      `${fmtTime(shown.from, local)} – ${fmtTime(shown.until, local)}; drag on the chart to zoom, double-click to reset`);
  showWindow();
  const onZoom = (min, max) => {
    const step = aligned?.step || 300;
    const reset = min <= from + step && max >= until - step;
    shown.from = reset ? from : min;
    shown.until = reset ? until : max;
    state.write({...state.read(), from: String(shown.from), until: String(shown.until)}, {replace: true});
    showWindow();
  };
  const csv = () => {
    if (!aligned) return;
    const rows = [['timestamp', 'time_utc', ...aligned.rows.map((r) => r.datasource),
                   ...aligned.rows.map((r) => `${r.datasource}_expected`)]];
    aligned.times.forEach((t, i) => {
      if (t < shown.from || t >= shown.until) return;
      rows.push([t, new Date(t * 1000).toISOString(),
                 ...aligned.rows.map((r) => r.values[i]), ...aligned.rows.map((r) => r.base.mid[i])]);
    });
    download(`blackout-${type}-${code}-${shown.from}-${shown.until}.csv`, new Blob([toCsv(rows)], {type: 'text/csv'}));
  };
  const png = () => {
    const canvas = chartBox.querySelector('canvas');
    if (!canvas) return;
    canvas.toBlob((b) => download(`blackout-${type}-${code}-${shown.from}-${shown.until}.png`, b), 'image/png');
  };
  const head = el('div', {class: 'toolbar'},
      el('h1', {}, `${name} `, el('span', {class: 'ecode'}, `${type}/${code}`)),
      el('label', {}, el('input', {type: 'checkbox', id: 'norm', checked: normalized,
                                   onchange: (e) => nav({norm: e.target.checked ? null : '0'})}),
         ' % of expected'),
      el('button', {type: 'button', id: 'dl-csv', onclick: csv}, 'CSV'),
      el('button', {type: 'button', id: 'dl-png', onclick: png}, 'PNG'),
      el('button', {type: 'button', id: 'report-btn', title: 'A quotable statement and chart for this window',
                    onclick: () => nav({view: 'report'})}, 'Report'),
      windowText);
  const related = el('section', {class: 'related', id: 'related'});
  app.replaceChildren(el('section', {class: 'entity'}, head, chartBox,
      el('p', {class: 'muted small', id: 'chart-note'}, series.length
          ? `Shaded grey with a red bar on top: detected disruptions. ${bandCaption(aligned)}; gaps: no data.`
          : 'No data for this entity in this window.'),
      el('h2', {}, 'Disruptions'), eventsTable(events, local),
      related));
  if (aligned) drawChart(chartBox, aligned, events, {normalized, local, onZoom});
  await renderRelated(related, type, code, st, nav, events);
}

const TECHNIQUES = {
  'packets-filtered': ['packets filtered', 'BGP routes stayed announced while hosts stopped answering: filtering, not route withdrawal'],
  'routes-withdrawn': ['routes withdrawn', 'the networks\' BGP routes were withdrawn'],
  'throttling': ['throttling', 'traffic fell while hosts stayed reachable'],
  'mixed': ['mixed', 'more than one technique over the event'],
  'unknown': ['unknown', 'the measurements do not show how the disruption was made'],
};

const phaseName = (p) => String(p.phase || p.name || 'phase').replace(/-/g, ' ');

// One line per phase: name, start – end (or ongoing), depth.
function phaseList(phases, local) {
  if (!Array.isArray(phases) || !phases.length) return '–';
  return el('ul', {class: 'phases'}, ...phases.map((p) => el('li', {},
      el('span', {class: 'phase-name'}, phaseName(p)), ' ',
      el('span', {class: 'phase-time'}, `${Number.isFinite(p.start) ? fmtTime(p.start, local) : '?'} – ` +
         `${p.end == null ? 'ongoing' : Number.isFinite(p.start) ? fmtEnd(p.start, p.end, local) : fmtTime(p.end, local)}`),
      p.depth != null && Number.isFinite(p.depth) ? el('span', {class: 'muted'}, ` (${pct(p.depth)})`) : null)));
}

function technique(e) {
  const t = e.technique || e.method;
  if (!t) return '–';
  const [text, why] = TECHNIQUES[t] || [String(t), null];
  return el('span', {class: `technique t-${String(t).replace(/[^a-z-]/g, '')}`, title: why}, text);
}

function eventsTable(events, local) {
  if (!events.length) return el('p', {class: 'muted'}, 'No disruption detected in this window.');
  const cols = ['Start', 'End', 'Duration', 'Depth', 'Score', 'Signals', 'Phases', 'Technique'];
  // data-label names each cell's column, for the stacked layout on narrow screens (style.css).
  const td = (k, attrs, ...c) => el('td', {'data-label': cols[k], ...attrs}, ...c);
  const rows = events.map((e, i) => el('tr', {id: `event-${String(e.id ?? i).replace(/[^A-Za-z0-9_-]/g, '')}`},
      td(0, {class: 'time'}, fmtTime(e.start, local)),
      td(1, {class: 'time'}, e.end ? fmtTime(e.end, local) : 'ongoing'),
      td(2, {}, fmtDuration(e.end ? e.end - e.start : null)),
      td(3, {class: 'num', title: 'lowest level, as % of expected'}, pct(e.fraction)),
      td(4, {class: 'num'}, Math.round(e.score || 0).toLocaleString()),
      td(5, {}, String(e.datasource || '').split(/[,\s]+/).filter(Boolean).map(label).join(', ')),
      td(6, {class: 'phases-cell'}, phaseList(e.phases, local)),
      td(7, {}, technique(e))));
  return el('div', {class: 'table-scroll'}, el('table', {class: 'events', id: 'events-table'},
      el('caption', {class: 'sr-only'}, 'Detected disruptions: times, depth (lowest level as % of expected), phases and technique'),
      el('thead', {}, el('tr', {}, ...cols.map((t) => el('th', {scope: 'col'}, t)))),
      el('tbody', {}, ...rows)));
}

const kMiniCharts = 12;

// What a page lists as affected: a country's regions and networks, a region's networks, a
// network's regions.
const RELATED_TYPES = {country: ['region', 'asn'], region: ['asn'], asn: ['region']};

// The entity's affected related entities: those the API relates to it, and those its own events
// name as carriers (`related`), each with events in the window. A region also links its country.
async function renderRelated(box, entityType, entityCode, st, nav, events) {
  const {from, until} = st;
  const parts = [];
  if (entityType === 'region' && /^[A-Z]{2}-/.test(entityCode)) {
    const cc = entityCode.slice(0, 2);
    parts.push(el('p', {class: 'parent'}, 'In ', el('a', {href: `?entity=country/${cc}`, id: 'parent-country', onclick: (e) => {
      e.preventDefault();
      nav({entity: `country/${cc}`});
    }}, countryName(cc)), '.'));
  }
  for (const type of RELATED_TYPES[entityType] || []) {
    const carriers = new Set(events.flatMap((e) => (Array.isArray(e.related) ? e.related : []))
        .filter((r) => typeof r === 'string' && r.startsWith(`${type}/`)).map((r) => r.slice(type.length + 1)));
    const [byRelation, ofType] = await Promise.all([
      summary({from, until, entityType: type, relatedTo: `${entityType}/${entityCode}`}).catch(() => []),
      carriers.size ? summary({from, until, entityType: type}).catch(() => []) : [],
    ]);
    const seen = new Set((byRelation || []).map((r) => r.entity.code));
    const all = [...(byRelation || []), ...(ofType || []).filter((r) => carriers.has(r.entity.code) && !seen.has(r.entity.code))]
        .sort((a, b) => (b.scores?.overall || 0) - (a.scores?.overall || 0));
    if (!all.length) continue;
    // The most affected get small charts; every other one is still listed, as a link.
    const rows = all.slice(0, kMiniCharts), rest = all.slice(kMiniCharts);
    const grid = el('div', {class: 'mini-grid'});
    parts.push(el('h2', {}, `${type === 'region' ? 'Affected regions' : 'Affected networks'} (${all.length})`), grid);
    if (rest.length) {
      parts.push(el('p', {class: 'more small'}, 'Also affected: ', ...rest.flatMap((r, i) => [i ? ', ' : '',
          el('a', {href: `?entity=${r.entity.type}/${r.entity.code}`, onclick: (e) => {
            e.preventDefault();
            nav({entity: `${r.entity.type}/${r.entity.code}`});
          }}, entityLabel(r.entity))])));
    }
    for (const r of rows) {
      const cell = el('div', {class: 'mini', 'data-entity': `${r.entity.type}/${r.entity.code}`});
      const chart = el('div', {class: 'mini-chart'});
      cell.append(el('a', {href: `?entity=${r.entity.type}/${r.entity.code}`, onclick: (e) => {
        e.preventDefault();
        nav({entity: `${r.entity.type}/${r.entity.code}`});
      }}, entityLabel(r.entity)), chart);
      grid.append(cell);
      Promise.all([signals(r.entity.type, r.entity.code, from, until, 600),
                   getEvents({from, until, entityType: r.entity.type, entityCode: r.entity.code}).catch(() => [])])
          .then(([s, ev]) => {
            if (s.length) drawChart(chart, align(s, ev.map(toEvent)), ev.map(toEvent), {normalized: true, small: true});
          }).catch(() => {});
    }
  }
  box.replaceChildren(...parts);
}
