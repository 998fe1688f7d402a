// Entity page (country, region or ASN): every signal normalised to its baseline or absolute,
// outages shaded, the events table, related regions and ASNs with small charts, CSV/PNG downloads.
import {annotations, datasources, entities, events as getEvents, provenance, signals, summary} from './api.js';
import {align, BAND_TEXT, bandSource, chartPng, drawChart, label, setVocabulary} from './chart.js';
import * as state from './state.js';
import {countryName, download, el, entityLabel, fmtClock, fmtDuration, fmtEnd, fmtLevel, fmtTime, pct, toCsv} from './util.js';

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
  const {from, until} = st;
  const normalized = st.norm !== '0';
  const [series, evs, info, , notes] = await Promise.all([
    signals(type, code, from, until),
    getEvents({from, until, entityType: type, entityCode: code}).catch(() => []),
    entities({entityType: type, entityCode: code, limit: 1000}).catch(() => []),
    datasources().then(setVocabulary),
    annotations({entity: `${type}/${code}`, from, until}).catch(() => []),
  ]);
  // Others' records of this entity in the window (curated lists), beside the detected events.
  const curated = (notes || []).filter((a) => a && a.source)
      .sort((x, y) => (x.from - y.from) || String(x.source).localeCompare(String(y.source)));
  const self = (info || []).find((e) => e.code === code && e.type === type);
  const name = series.find((x) => x.entityName)?.entityName || self?.name || code;
  document.title = `${name} (${type}/${code}) — blackout`;
  const events = (evs || []).map(toEvent);
  // "local time": the entity's own zone (the API's timeZone, from the IANA database) when its
  // events name one, else the browser's; always labelled.
  const entityZone = events.find((e) => e.timeZone)?.timeZone || null;
  const zone = st.local ? entityZone || 'local' : null;
  const chartBox = el('div', {class: 'chart', id: 'chart'});
  const aligned = series.length ? align(series, events) : null;
  // What is shown: the URL's window, narrowed by drag-to-zoom (which also rewrites the URL's
  // window in place, so a reload, a shared link or the report use the zoomed window).
  const shown = {from, until};
  const windowText = el('span', {class: 'muted', id: 'window'});
  const showWindow = () => (windowText.textContent =
      `${fmtTime(shown.from, zone)} – ${fmtTime(shown.until, zone)}; drag on the chart to zoom, double-click to reset`);
  showWindow();
  const onZoom = (min, max) => {
    const step = aligned?.step || 300;
    const ext = aligned?.extent || {from, until};
    const reset = min <= ext.from + step && max >= ext.until - step;
    shown.from = reset ? from : min;
    shown.until = reset ? until : max;
    state.write({...state.read(), from: String(shown.from), until: String(shown.until)}, {replace: true});
    showWindow();
  };
  const ymd = (t) => new Date(t * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  const fileBase = () => `${provenance()?.simulation ? 'SIMULATION-' : ''}blackout-${type}-${code}-${ymd(shown.from)}-${ymd(shown.until - 1)}`;
  const csv = () => {
    if (!aligned) return;
    const rows = [['timestamp', 'time_utc', ...aligned.rows.map((r) => r.datasource),
                   ...aligned.rows.map((r) => `${r.datasource}_expected`)]];
    aligned.times.forEach((t, i) => {
      if (t < shown.from || t >= shown.until) return;
      rows.push([t, new Date(t * 1000).toISOString(),
                 ...aligned.rows.map((r) => r.values[i]), ...aligned.rows.map((r) => r.base.mid[i])]);
    });
    const notice = provenance()?.simulation ? `# ${provenance().notice}\n` : '';
    download(`${fileBase()}.csv`, new Blob([notice + toCsv(rows)], {type: 'text/csv'}));
  };
  const png = () => {
    const p = provenance();
    const canvas = chartPng(chartBox, `${name} (${type}/${code}), ${fmtTime(shown.from)} – ${fmtTime(shown.until)}`,
                            p?.simulation ? p.notice : '');
    if (!canvas) return;
    canvas.toBlob((b) => download(`${fileBase()}.png`, b), 'image/png');
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
  const links = el('nav', {class: 'entity-links', id: 'entity-links', 'aria-label': 'Related places and networks'});
  const related = el('section', {class: 'related', id: 'related'});
  app.replaceChildren(el('section', {class: 'entity'}, head, links, chartBox,
      el('p', {class: 'muted small', id: 'chart-note'}, chartNote(aligned, name, st, zone)),
      el('h2', {}, 'Disruptions'), eventsSection(events, zone, aligned, name),
      curated.length ? curatedSection(curated, zone) : null,
      related));
  if (aligned) drawChart(chartBox, aligned, events, {normalized, zone, onZoom, curated});
  else chartBox.append(el('p', {class: 'nodata-message', id: 'no-measurements'},
                          `No measurements of ${name} between ${fmtTime(from, zone)} and ${fmtTime(until, zone)}.`));
  await Promise.all([entityLinks(links, type, code, self, nav),
                     renderRelated(related, type, code, st, nav, events, self)]);
}

// What the chart shows, in words: the marks, the band's source, and any stretch of the window
// without measurements (the axis is cropped to the measured stretch).
function chartNote(aligned, name, st, zone) {
  if (!aligned) return `No data for ${name} in this window: nothing was measured, so nothing can be said about disruptions.`;
  const parts = [`One panel per signal, the signal that shows the detected disruptions on top. Shaded amber with a bar on top: detected disruptions. ${bandCaption(aligned)}; hatched grey: no data.`];
  const {extent} = aligned;
  if (extent.from > st.from + aligned.step) parts.push(`No measurements from ${fmtTime(st.from, zone)} to ${fmtTime(extent.from, zone)}.`);
  if (extent.until < st.until - aligned.step) parts.push(`No measurements from ${fmtTime(extent.until, zone)} to ${fmtTime(st.until, zone)}.`);
  return parts.join(' ');
}

// Links up and across: a network to its country and regions, a region to its country and networks
// (from the API's entity relations).
async function entityLinks(box, type, code, self, nav) {
  const link = (ref, text, id) => el('a', {href: `?entity=${ref}`, id, onclick: (e) => {
    e.preventDefault();
    nav({entity: ref});
  }}, text);
  const rel = (self?.related || []).filter((r) => typeof r === 'string');
  const countries = new Set(rel.filter((r) => r.startsWith('country/')).map((r) => r.slice(8)));
  if (type === 'region' && /^[A-Z]{2}-/.test(code)) countries.add(code.slice(0, 2));
  const parts = [];
  if (countries.size) {
    parts.push(el('span', {}, type === 'asn' ? 'Network in ' : 'In ',
        ...[...countries].flatMap((cc, i) => [i ? ', ' : '', link(`country/${cc}`, countryName(cc), i ? null : 'parent-country')])));
  }
  let regions = [], networks = [];
  if (type === 'asn') {
    const codes = rel.filter((r) => r.startsWith('region/')).map((r) => r.slice(7));
    const known = codes.length ? await entities({entityType: 'region', limit: 1000, relatedTo: `country/${[...countries][0] || ''}`})
        .catch(() => []) : [];
    const names = new Map((known || []).map((e) => [e.code, e.name]));
    regions = codes.map((c) => ({type: 'region', code: c, name: names.get(c) || c}));
  } else if (type === 'region') {
    networks = (await entities({entityType: 'asn', relatedTo: `region/${code}`, limit: 1000}).catch(() => [])) || [];
  }
  const list = (title, items, id) => el('span', {id}, `${title}: `,
      ...items.flatMap((e, i) => [i ? ', ' : '', link(`${e.type}/${e.code}`, entityLabel(e))]));
  if (regions.length) parts.push(list('Regions', regions, 'entity-regions'));
  if (networks.length) {
    parts.push(el('span', {}, list('Networks', networks.slice(0, 30), 'entity-networks'),
                  networks.length > 30 ? ` and ${networks.length - 30} more` : null));
  }
  box.replaceChildren(...parts.flatMap((p, i) => [i ? ' · ' : '', p]));
  box.hidden = !parts.length;
}

const TECHNIQUES = {
  'packets-filtered': ['packets filtered', 'BGP routes stayed announced while hosts stopped answering: filtering, not route withdrawal'],
  'routes-withdrawn': ['routes withdrawn', 'the networks\' BGP routes were withdrawn'],
  'throttling': ['throttling', 'traffic fell while hosts stayed reachable'],
  'mixed': ['mixed', 'more than one technique over the event'],
  'unknown': ['unknown', 'the measurements do not show how the disruption was made'],
};

const phaseName = (p) => String(p.phase || p.name || 'phase').replace(/-/g, ' ');

// One line per phase: name, start – end (or ongoing), lowest level.
function phaseList(phases, zone) {
  if (!Array.isArray(phases) || !phases.length) return '–';
  return el('ul', {class: 'phases'}, ...phases.map((p) => el('li', {},
      el('span', {class: 'phase-name'}, phaseName(p)), ' ',
      el('span', {class: 'phase-time'}, `${Number.isFinite(p.start) ? fmtTime(p.start, zone) : '?'} – ` +
         `${p.end == null ? 'ongoing' : Number.isFinite(p.start) ? fmtEnd(p.start, p.end, zone) : fmtTime(p.end, zone)}`),
      p.depth != null && Number.isFinite(p.depth) ? el('span', {class: 'muted'}, ` (lowest ${pct(p.depth)} of usual)`) : null)));
}

function technique(e) {
  const t = e.technique || e.method;
  if (!t) return '–';
  const [text, why] = TECHNIQUES[t] || [String(t), null];
  const own = el('span', {class: `technique t-${String(t).replace(/[^a-z-]/g, '')}`, title: why}, text);
  // Application blocking (OONI) that preceded the outage reads first (API: techniqueSequence).
  if (Array.isArray(e.precededBy) && e.precededBy.length) {
    return el('span', {}, el('span', {class: 'technique t-app-blocking',
      title: 'OONI Probe measurements found applications blocked before this outage'}, 'app blocking'),
    ', then ', own);
  }
  return own;
}

// A time in the shown zone, and under it the same instant in the entity's own zone (or in UTC
// when the entity's zone is shown): "2022-01-04 14:30 UTC" / "20:30 Almaty time (UTC+6)".
function twoTimes(t, zone, entityZone) {
  const other = zone ? fmtClock(t, null) : entityZone ? fmtClock(t, entityZone) : null;
  return [el('span', {class: 'utc'}, fmtTime(t, zone)), other ? el('span', {class: 'localtime'}, other) : null];
}

// The quotable headlines (the API's, worded like the report and the feeds), then the table of
// connectivity events, then a row per application OONI found blocked (application blocking is no
// measurement of connectivity: it is never in the connectivity table).
function eventsSection(events, zone, aligned, name) {
  const apps = events.filter((e) => e.applications?.length);
  const connectivity = events.filter((e) => !e.applications?.length);
  if (!connectivity.length) {
    const blocking = apps.length ? appBlockingSection(apps, zone) : null;
    // "No disruption" only where something was measured.
    if (!aligned) return el('div', {}, el('p', {class: 'muted', id: 'no-events'}, `No measurements of ${name} in this window: nothing can be said about disruptions.`), blocking);
    const measured = aligned.rows.map((r) => label(r.datasource)).join(', ');
    return el('div', {}, el('p', {class: 'muted', id: 'no-events'}, `No disruption of connectivity detected in the measured stretch of this window (${measured}).`), blocking);
  }
  const headlines = el('ol', {class: 'headlines', id: 'headlines'}, ...events.map((e, i) => el('li', {class: 'headline'},
      el('blockquote', {}, e.headline || `Disruption from ${fmtTime(e.start)}: connectivity fell ${fmtLevel(e.fraction)}.`),
      el('p', {class: 'small muted when'}, 'Began ', el('span', {class: 'utc'}, fmtTime(e.start, null)),
         e.timeZone ? [' = ', el('span', {class: 'localtime'}, fmtClock(e.start, e.timeZone))] : null,
         e.end ? ['; ended ', fmtTime(e.end, null), e.timeZone ? [' = ', fmtClock(e.end, e.timeZone)] : null] : '; ongoing',
         ' · ', el('a', {href: `#${rowId(e, i)}`}, 'details')))));
  return el('div', {}, headlines, eventsTable(connectivity, zone), apps.length ? appBlockingSection(apps, zone) : null);
}

const APP_NAMES = {telegram: 'Telegram', signal: 'Signal', whatsapp: 'WhatsApp', facebook_messenger: 'Facebook Messenger',
                   tor: 'Tor', psiphon: 'Psiphon', riseupvpn: 'RiseupVPN'};
const appName = (a) => APP_NAMES[a] || String(a).replace(/_/g, ' ');

// A row per application and stretch OONI Probe measurements found it blocked, with OONI's
// attribution and licence.
function appBlockingSection(events, zone) {
  const rows = events.flatMap((e) => e.applications.map((a) => ({...a, timeZone: e.timeZone})))
      .sort((x, y) => (x.from - y.from) || String(x.app).localeCompare(String(y.app)));
  const attribution = events.find((e) => e.attribution)?.attribution ||
      'OONI Probe measurements (Open Observatory of Network Interference), CC BY-NC-SA 4.0';
  const cols = ['Application', 'Blocked from', 'Until', 'How', 'Measurements'];
  const td = (k, attrs, ...c) => el('td', {'data-label': cols[k], ...attrs}, ...c);
  return el('section', {id: 'app-blocking'},
      el('h3', {}, 'Application blocking (OONI)'),
      el('div', {class: 'table-scroll'}, el('table', {class: 'events apps', id: 'apps-table'},
          el('caption', {class: 'sr-only'}, 'Applications OONI Probe measurements found blocked: when, how, and on how many measurements'),
          el('thead', {}, el('tr', {}, ...cols.map((t) => el('th', {scope: 'col'}, t)))),
          el('tbody', {}, ...rows.map((a) => el('tr', {class: 'app-row', 'data-app': a.app},
              td(0, {}, appName(a.app)),
              td(1, {class: 'time'}, Number.isFinite(a.from) ? twoTimes(a.from, zone, a.timeZone) : '?'),
              td(2, {class: 'time'}, Number.isFinite(a.until) ? twoTimes(a.until, zone, a.timeZone) : 'ongoing'),
              td(3, {}, (a.methods || []).join(', ') || 'not stated'),
              td(4, {class: 'num'}, `${a.blocked ?? '?'} of ${a.measurements ?? '?'} blocked`)))))),
      el('p', {class: 'small muted', id: 'apps-attribution'},
         `Source: ${attribution}. An application counts as blocked where its measurements say so beyond chance; this is no measurement of connectivity.`));
}

const SOURCE_NAMES = {keepiton: "Access Now's #KeepItOn", 'ioda-investigated': "IODA's investigated outages",
                      radar: 'Cloudflare Radar'};
const sourceName = (s) => SOURCE_NAMES[s] || String(s);
// A day as the list gives it: "4 January 2022" (whole-day records have no times).
const fmtDay = (t) => new Date(t * 1000).toLocaleDateString('en-GB', {day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC'});

// What others recorded (curated lists): a row per record, whole days shown as days, beside the
// detected events; drawn on the chart as violet strips.
function curatedSection(curated, zone) {
  const cols = ['Source', 'When', 'What', 'Cause', 'Area', 'Link'];
  const td = (k, attrs, ...c) => el('td', {'data-label': cols[k], ...attrs}, ...c);
  const when = (a) => {
    if (a.wholeDays) {
      const lastDay = a.until - 86400;
      if (a.openEnd) return `from ${fmtDay(a.from)} (no end recorded)`;
      return lastDay <= a.from ? fmtDay(a.from) : `${fmtDay(a.from)} – ${fmtDay(lastDay)}`;
    }
    return a.openEnd ? `from ${fmtTime(a.from, zone)} (no end recorded)` : `${fmtTime(a.from, zone)} – ${fmtTime(a.until, zone)}`;
  };
  const safeLink = (u) => (/^https?:\/\//.test(String(u || '')) ? el('a', {href: u, rel: 'noopener noreferrer', target: '_blank'}, 'source') : '');
  return el('section', {id: 'curated'},
      el('h3', {}, 'Recorded by others'),
      el('div', {class: 'table-scroll'}, el('table', {class: 'events curated', id: 'curated-table'},
          el('caption', {class: 'sr-only'}, "Outages others recorded for this place (curated lists), beside the detected disruptions"),
          el('thead', {}, el('tr', {}, ...cols.map((t) => el('th', {scope: 'col'}, t)))),
          el('tbody', {}, ...curated.map((a) => el('tr', {class: 'curated-row', 'data-source': a.source, title: a.text || ''},
              td(0, {}, sourceName(a.source)),
              td(1, {class: 'time'}, when(a)),
              td(2, {}, a.kind || ''),
              td(3, {}, a.cause || ''),
              td(4, {}, a.area || ''),
              td(5, {}, safeLink(a.link))))))),
      el('p', {class: 'small muted', id: 'curated-note'},
         'Drawn on the chart as violet strips. These lists are curated by others and may record what the signals here cannot see (an application blocked, one city); dates without times are whole days.'));
}

const rowId = (e, i) => `event-${String(e.id ?? i).replace(/[^A-Za-z0-9_-]/g, '')}`;

function eventsTable(events, zone) {
  const cols = ['Start', 'End', 'Duration', 'Depth', 'Score', 'Signals', 'Phases', 'Technique'];
  // data-label names each cell's column, for the stacked layout on narrow screens (style.css).
  const td = (k, attrs, ...c) => el('td', {'data-label': cols[k], ...attrs}, ...c);
  const rows = events.map((e, i) => el('tr', {id: rowId(e, i)},
      td(0, {class: 'time'}, twoTimes(e.start, zone, e.timeZone)),
      td(1, {class: 'time'}, e.end ? twoTimes(e.end, zone, e.timeZone) : 'ongoing'),
      td(2, {}, e.end ? e.durationText || fmtDuration(e.end - e.start) : `ongoing${e.durationText ? `, ${e.durationText} so far` : ''}`),
      td(3, {class: 'depth'}, e.depthText || `connectivity fell ${fmtLevel(e.fraction)}`),
      td(4, {class: 'num'}, Math.round(e.score || 0).toLocaleString('en')),
      td(5, {}, String(e.datasource || '').split(/[,\s]+/).filter(Boolean).map(label).join(', ')),
      td(6, {class: 'phases-cell'}, phaseList(e.phases, zone)),
      td(7, {}, technique(e))));
  return el('div', {class: 'table-scroll'}, el('table', {class: 'events', id: 'events-table'},
      el('caption', {class: 'sr-only'}, 'Detected disruptions: times, duration, depth, phases and technique'),
      el('thead', {}, el('tr', {}, ...cols.map((t) => el('th', {scope: 'col'}, t)))),
      el('tbody', {}, ...rows)));
}

const kMiniCharts = 12;

// What a page lists as affected: a country's regions and networks, a region's networks, a
// network's regions.
const RELATED_TYPES = {country: ['region', 'asn'], region: ['asn'], asn: ['region']};

// The entity's affected related entities: those the API relates to it, and those its own events
// name as carriers (`related`), and those the entity itself names (a network's regions), each with
// events in the window.
async function renderRelated(box, entityType, entityCode, st, nav, events, self) {
  const {from, until} = st;
  const parts = [];
  for (const type of RELATED_TYPES[entityType] || []) {
    const carriers = new Set([...events.flatMap((e) => (Array.isArray(e.related) ? e.related : [])), ...(self?.related || [])]
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
            const a = s.length ? align(s, ev.map(toEvent)) : null;
            if (a) drawChart(chart, a, ev.map(toEvent), {normalized: true, small: true});
            else chart.append(el('p', {class: 'muted small'}, 'No data in this window.'));
          }).catch(() => {});
    }
  }
  box.replaceChildren(...parts);
}
