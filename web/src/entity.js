// Entity page (country, region or ASN): every signal normalised to its baseline or absolute,
// outages shaded, the events table, related regions and ASNs with small charts, CSV/PNG downloads.
import {entities, events as getEvents, signals, summary} from './api.js';
import {align, drawChart, label} from './chart.js';
import {download, el, fmtDuration, fmtTime, pct, toCsv} from './util.js';

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
  const csv = () => {
    if (!aligned) return;
    const rows = [['timestamp', 'time_utc', ...aligned.rows.map((r) => r.datasource),
                   ...aligned.rows.map((r) => `${r.datasource}_expected`)]];
    aligned.times.forEach((t, i) => rows.push([t, new Date(t * 1000).toISOString(),
        ...aligned.rows.map((r) => r.values[i]), ...aligned.rows.map((r) => r.base.mid[i])]));
    download(`blackout-${type}-${code}-${from}-${until}.csv`, new Blob([toCsv(rows)], {type: 'text/csv'}));
  };
  const png = () => {
    const canvas = chartBox.querySelector('canvas');
    if (!canvas) return;
    canvas.toBlob((b) => download(`blackout-${type}-${code}-${from}-${until}.png`, b), 'image/png');
  };
  const head = el('div', {class: 'toolbar'},
      el('h1', {}, `${name} `, el('span', {class: 'ecode'}, `${type}/${code}`)),
      el('label', {}, el('input', {type: 'checkbox', id: 'norm', checked: normalized,
                                   onchange: (e) => nav({norm: e.target.checked ? null : '0'})}),
         ' % of expected'),
      el('button', {type: 'button', id: 'dl-csv', onclick: csv}, 'CSV'),
      el('button', {type: 'button', id: 'dl-png', onclick: png}, 'PNG'),
      el('span', {class: 'muted'}, `${fmtTime(from, local)} – ${fmtTime(until, local)}; drag on the chart to zoom`));
  const related = el('section', {class: 'related', id: 'related'});
  app.replaceChildren(el('section', {class: 'entity'}, head, chartBox,
      el('p', {class: 'muted small'}, series.length
          ? 'Shaded: detected disruptions. Band: 10th–90th percentile of the previous 24 h outside disruptions; gaps: no data.'
          : 'No data for this entity in this window.'),
      el('h2', {}, 'Disruptions'), eventsTable(events, local),
      related));
  if (aligned) drawChart(chartBox, aligned, events, {normalized, local});
  if (type === 'country') await renderRelated(related, code, st, nav);
}

function eventsTable(events, local) {
  if (!events.length) return el('p', {class: 'muted'}, 'No disruption detected in this window.');
  const rows = events.map((e) => el('tr', {},
      el('td', {}, fmtTime(e.start, local)),
      el('td', {}, e.end ? fmtTime(e.end, local) : 'ongoing'),
      el('td', {}, fmtDuration(e.end ? e.end - e.start : null)),
      el('td', {class: 'num'}, pct(e.fraction)),
      el('td', {class: 'num'}, Math.round(e.score || 0).toLocaleString()),
      el('td', {}, String(e.datasource || '').split(/[,\s]+/).filter(Boolean).map(label).join(', ')),
      el('td', {}, (e.phases || []).map((p) => `${p.phase || p.name} ${fmtTime(p.start, local)}`).join('; ') || '–'),
      el('td', {}, e.method || '–')));
  return el('table', {class: 'events', id: 'events-table'},
      el('thead', {}, el('tr', {}, ...['Start', 'End', 'Duration', 'Depth', 'Score', 'Signals', 'Phases', 'Technique']
          .map((t) => el('th', {scope: 'col'}, t)))),
      el('tbody', {}, ...rows));
}

async function renderRelated(box, country, st, nav) {
  const {from, until} = st;
  const parts = [];
  for (const type of ['region', 'asn']) {
    const rows = ((await summary({from, until, entityType: type, relatedTo: `country/${country}`}).catch(() => [])) || [])
        .slice(0, 8);
    if (!rows.length) continue;
    const grid = el('div', {class: 'mini-grid'});
    parts.push(el('h2', {}, type === 'region' ? 'Affected regions' : 'Affected networks'), grid);
    for (const r of rows) {
      const cell = el('div', {class: 'mini', 'data-entity': `${r.entity.type}/${r.entity.code}`});
      const chart = el('div', {class: 'mini-chart'});
      cell.append(el('a', {href: `?entity=${r.entity.type}/${r.entity.code}`, onclick: (e) => {
        e.preventDefault();
        nav({entity: `${r.entity.type}/${r.entity.code}`});
      }}, r.entity.name || r.entity.code), chart);
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
