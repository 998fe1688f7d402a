// Overview: a map coloured by outage score for the selected window (the world, or one country's
// regions) and a sortable table of the same data beside it, usable without the map.
import {entities, measured as isMeasured, summary} from './api.js';
import {drawMap, preloadMap} from './map.js';
import {countryName, el, entityLabel, fmtTime, severityColor} from './util.js';

export async function renderOverview(app, st, nav) {
  const {from, until, local} = st;
  const country = st.map || null;
  const p = {from, until, entityType: country ? 'region' : 'country'};
  if (country) p.relatedTo = `country/${country}`;
  preloadMap(country);
  const rows = (await summary(p)) || [];
  const scores = new Map(), names = new Map();
  for (const r of rows) {
    scores.set(r.entity.code, r.scores?.overall || 0);
    names.set(r.entity.code, r.entity.name);
  }
  const mapBox = el('div', {class: 'map-box', id: 'map'});
  const title = country ? `Regions of ${countryName(country)}` : 'World';
  document.title = `${title}: disruptions — blackout`;
  // Which places were measured at all in the window: the others are "no data", not "no
  // disruption" (one small request per entity the service knows, a few at a time).
  const measuredP = country ? measuredEntities('region', `country/${country}`, from, until)
                            : measuredEntities('country', null, from, until);
  const unit = country ? 'regions' : 'countries';
  const coverage = el('p', {class: 'coverage', id: 'coverage'});
  const toWorld = country ? el('button', {type: 'button', onclick: () => nav({map: null})}, '← World map') : null;
  const toRegions = el('select', {'aria-label': 'Show a country\'s regions', onchange: (e) => nav({map: e.target.value || null})},
                       el('option', {value: ''}, 'Regions of…'),
                       ...Object.keys(window.BLACKOUT_MAPS?.regions || {})
                           .map((c) => [c, countryName(c)]).sort((a, b) => a[1].localeCompare(b[1]))
                           .map(([c, n]) => el('option', {value: c, selected: c === country}, n)));
  const table = renderTable(rows, nav);
  app.replaceChildren(
      el('section', {class: 'overview'},
         el('div', {class: 'toolbar'},
            el('h1', {}, `${title}: disruptions ${fmtTime(from, local)} – ${fmtTime(until, local)}`),
            toWorld, toRegions),
         el('div', {class: 'split'}, el('div', {}, mapBox, coverage, legend(Math.max(0, ...scores.values()))),
            el('div', {class: 'table-box'}, table))));
  try {
    const measured = await measuredP;
    const {codes} = await drawMap(mapBox, {country, countryLabel: country && countryName(country), scores, names, measured,
                                           onPick: (code) => nav({entity: `${country ? 'region' : 'country'}/${code}`, map: null})});
    if (measured) {
      const n = codes.filter((c) => measured.has(c) || scores.get(c)).length;
      coverage.textContent = `${n} of ${codes.length} ${unit} measured in this window` +
          (n < codes.length ? '; the others (hatched) have no data, which is not the same as no disruption.' : '.');
      coverage.dataset.measured = String(n);
      coverage.dataset.total = String(codes.length);
    }
  } catch (e) {
    mapBox.replaceChildren(el('p', {class: 'error'}, `Map unavailable: ${e.message}`));
  }
}

// The measured entities of a type (those related to `relatedTo`, if given) in the window, as a Set
// of codes (null when that cannot be told).
async function measuredEntities(type, relatedTo, from, until) {
  try {
    const query = relatedTo ? {entityType: type, relatedTo, limit: 1000} : {entityType: type, limit: 1000};
    const known = (await entities(query)) || [];
    const out = new Set();
    const queue = known.map((e) => e.code);
    const worker = async () => {
      while (queue.length) {
        const code = queue.shift();
        if (await isMeasured(type, code, from, until).catch(() => false)) out.add(code);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return out;
  } catch {
    return null;
  }
}

// The colour scale: grey for measured with nothing detected, hatching for no data, then yellow
// to red on a log scale of the score up to the largest in view.
function legend(max) {
  const stops = [0.02, 0.25, 0.5, 0.75, 1].map((x) => severityColor(Math.expm1(x * Math.log1p(max)), max));
  return el('div', {class: 'legend', id: 'map-legend'},
      el('span', {class: 'swatch', style: `background:${severityColor(0, max)}`}),
      ' measured, no disruption detected ',
      el('span', {class: 'swatch nodata'}), ' no data ',
      max ? el('span', {class: 'ramp', style: `background:linear-gradient(to right, ${stops.join(', ')})`}) : null,
      max ? ` disruption score (log scale, up to ${Math.round(max).toLocaleString()})` : null);
}

function renderTable(rows, nav) {
  let key = 'score', dir = -1;
  const table = el('table', {class: 'summary', id: 'summary-table'});
  const cols = [['name', 'Entity'], ['score', 'Score'], ['events', 'Events']];
  const val = (r, k) => (k === 'name' ? r.entity.name : k === 'score' ? r.scores?.overall || 0 : r.event_cnt || 0);
  const draw = () => {
    const sorted = [...rows].sort((a, b) => {
      const x = val(a, key), y = val(b, key);
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
    const head = el('tr', {}, ...cols.map(([k, t]) => el('th', {scope: 'col',
        'aria-sort': k === key ? (dir > 0 ? 'ascending' : 'descending') : 'none'},
        el('button', {type: 'button', onclick: () => {
          dir = k === key ? -dir : k === 'name' ? 1 : -1;
          key = k;
          draw();
        }}, t))));
    const body = sorted.map((r) => el('tr', {},
        el('td', {}, el('a', {href: `?entity=${r.entity.type}/${r.entity.code}`, onclick: (e) => {
          e.preventDefault();
          nav({entity: `${r.entity.type}/${r.entity.code}`, map: null});
        }}, entityLabel(r.entity))),
        el('td', {class: 'num'}, Math.round(val(r, 'score')).toLocaleString()),
        el('td', {class: 'num'}, val(r, 'events'))));
    table.replaceChildren(el('caption', {}, rows.length ? 'Entities with disruptions in this window' : 'No disruptions in this window'),
                          el('thead', {}, head), el('tbody', {}, ...body));
  };
  draw();
  return table;
}
