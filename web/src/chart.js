// Signal charts with uPlot, one panel per signal as IODA draws them: each signal normalised to its
// baseline (% of expected, with the baseline band) or in its own units, the signal that carries the
// detected events on top. Detected events are shaded amber (a colour no signal uses); bins where
// nothing was measured (no value, or the detector's level 0) are hatched grey as "no data", never
// drawn as normal. The x axis covers the measured stretch of the window and the y axis the data.
// Panels share the cursor and zoom (drag to zoom, double-click resets). The baseline is the server
// detector's expected value per bin when the API serves it (docs/web.md, "The drawn baseline"); the
// rolling display baseline of baseline.js only stands in for signals the detector does not judge,
// and each panel says which is drawn.
import uPlot from 'uplot';
import {rollingBaseline} from './baseline.js';
import {el, fmtTime, zoneParts} from './util.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');

// x-axis labels in the day-month order and 24-hour clock used in outage reports ("5 Jan",
// "12:00"), in UTC or the chosen zone; the year under the first label.
// A live source's current bin (provisional) and a bin a gap in a live feed overlapped.
const PROVISIONAL_FILL = 'rgba(60, 110, 220, 0.14)';
const PROVISIONAL_EDGE = 'rgba(60, 110, 220, 0.8)';
const LIVE_GAP_FILL = 'rgba(220, 120, 20, 0.16)';

function timeLabels(zone) {
  return (u, splits, axisIdx, space, incr) => splits.map((t, i) => {
    const {Y, M, D, h, m} = zoneParts(t, zone);
    const day = `${D} ${MONTHS[M]}`;
    if (incr >= 86400) return i === 0 || (M === 0 && D === 1) ? `${day}\n${Y}` : day;
    const hm = `${pad(h)}:${pad(m)}`;
    if (i === 0) return `${hm}\n${day} ${Y}`;
    return h === 0 && m === 0 ? `${hm}\n${day}` : hm;
  });
}

// Series colours (d3's category10 blue, red, green, purple) and the marks that must not be
// mistaken for them: amber event shading and grey no-data hatching.
export const COLORS = {bgp: '#1f77b4', 'ping-slash24': '#d62728', 'merit-nt': '#2ca02c',
                       traffic: '#9467bd'};
export const EVENT_FILL = 'rgba(255, 176, 0, 0.25)';
export const EVENT_BAR = '#c77800';
// Others' records (curated lists, docs/annotations.md): a violet strip along the panel's bottom,
// outlined, so it never hides the amber of the detected events.
export const CURATED_FILL = 'rgba(118, 68, 170, 0.35)';
export const CURATED_EDGE = '#5b2d91';
const NO_DATA_LINE = 'rgba(110, 110, 110, 0.55)';

// Names and units, from the API's /datasources when the page has fetched them (setVocabulary);
// these stand in until then and are the signal registry's (src/blackout/store/signals.h; the
// server test RegistryAgreementTest checks that they agree).
const VOCAB = {
  bgp: {short: 'BGP', name: 'BGP (visible /24 networks in the global routing table)', units: 'Visible /24s'},
  'ping-slash24': {short: 'Active probing', name: 'Active probing (/24 networks answering)', units: 'Up /24s'},
  'merit-nt': {short: 'Darknet', name: 'Network telescope (unique source addresses reaching a darknet)', units: 'Unique sources'},
  traffic: {short: 'Web traffic', name: 'Passive traffic (unique client addresses in web-server logs)', units: 'Unique clients'},
  ooni: {short: 'App blocking', name: 'Application blocking (OONI Probe measurements finding an app blocked)', units: 'Blocked measurements'},
};
export function setVocabulary(datasources) {
  for (const d of datasources || []) {
    if (!d?.datasource || !VOCAB[d.datasource]) continue;
    VOCAB[d.datasource] = {...VOCAB[d.datasource], name: d.name || VOCAB[d.datasource].name,
                           units: d.units || VOCAB[d.datasource].units};
  }
}
export const label = (ds) => VOCAB[ds]?.short || ds;
export const longLabel = (ds) => VOCAB[ds]?.name || ds;
export const units = (ds) => VOCAB[ds]?.units || '';

// series: API signal objects ({datasource, from, step, values} and, when the server's detector
// judges the signal, expected/lower/levels per bin); events: [{start, end}].
// Returns {times, step, rows:[{datasource, values, levels, noData, base}], window, extent} on one
// time axis, where base = {mid, lo, hi, source}: source 'detector' when the API served the
// detector's expected values (mid = expected, lo = its band's lower edge expected - z*spread, hi =
// the mirror edge expected + z*spread), 'display' when it did not and the chart's own rolling
// baseline stands in. The axis is cropped to the stretch where any drawn signal has a value
// (`extent`; `window` is what the API answered for); null when nothing was measured at all.
const MAIN = new Set(['bgp', 'ping-slash24', 'merit-nt', 'traffic']);
// IODA's panel order, used when no event says which signal carries it.
const ORDER = ['ping-slash24', 'bgp', 'merit-nt', 'traffic'];

// Lays one per-bin array of a series on the common grid: each grid bin takes the value of the
// series bin its start falls in (as the server's detector lays a coarser signal on its grid), so a
// 660 s probe round holds for every 300 s bin starting within it and coarser signals draw as
// unbroken lines rather than isolated points.
function spread(s, arr, from, step, n) {
  const v = new Array(n).fill(null);
  if (!arr?.length) return v;
  const end = s.from + arr.length * s.step;
  for (let k = Math.max(0, Math.ceil((s.from - from) / step)); k < n; k++) {
    const t = from + k * step;
    if (t >= end) break;
    v[k] = arr[Math.floor((t - s.from) / s.step)] ?? null;
  }
  return v;
}

export const BAND_TEXT = {
  detector: "band: the detector's expected value ± its significance margin (from the API)",
  display: 'band: display baseline, 10th–90th percentile of the previous 24 h outside disruptions (the detector does not judge this signal)',
};

export function align(allSeries, events) {
  // BGP's extra visibility levels (bgp-1peer, bgp-25, ...) stay out of the chart when the main
  // signals are there; they are in the CSV of the API.
  const main = allSeries.filter((s) => MAIN.has(s.datasource));
  const series = (main.length ? main : allSeries).filter((s) => s.values?.length);
  if (!series.length) return null;
  const step = Math.min(...series.map((s) => s.step || 300));
  const from = Math.min(...series.map((s) => s.from));
  const until = Math.max(...series.map((s) => s.from + s.values.length * (s.step || 300)));
  const n = Math.max(0, Math.ceil((until - from) / step));
  let times = Array.from({length: n}, (_, i) => from + i * step);
  const inEvent = (t) => events.some((e) => t >= e.start && t < (e.end ?? Infinity));
  let rows = series.map((s) => {
    const v = spread(s, s.values, from, step, n);
    const levels = Array.isArray(s.levels) ? spread(s, s.levels, from, step, n) : null;
    let base;
    if (Array.isArray(s.expected) && Array.isArray(s.lower)) {
      const mid = spread(s, s.expected, from, step, n);
      const lo = spread(s, s.lower, from, step, n);
      const hi = mid.map((e, k) => (e == null || lo[k] == null ? null : 2 * e - lo[k]));
      base = {mid, lo, hi, source: 'detector'};
    } else {
      base = {...rollingBaseline(times, v, 86400, inEvent), source: 'display'};
    }
    // Live sources (docs/api.md): the bin still filling (provisional) and the latest bin a gap in a
    // live feed overlapped, as times; null when the series has none.
    return {datasource: s.datasource, values: v, levels, base,
            provisional: s.provisionalFrom ?? null, gap: s.liveGapBin ?? null};
  });
  // Crop to the measured stretch: from the first to the last bin where any signal has a value.
  const has = (k) => rows.some((r) => r.values[k] != null && r.levels?.[k] !== 0);
  let a = 0, b = n;
  while (a < n && !has(a)) a++;
  while (b > a && !has(b - 1)) b--;
  if (a >= b) return null;
  if (a > 0 || b < n) {
    times = times.slice(a, b);
    const cut = (x) => (x ? x.slice(a, b) : x);
    rows = rows.map((r) => ({...r, values: cut(r.values), levels: cut(r.levels),
                             base: {...r.base, mid: cut(r.base.mid), lo: cut(r.base.lo), hi: cut(r.base.hi)}}));
  }
  // No data: nothing measured in the bin (no value, or the detector's level 0).
  for (const r of rows) r.noData = r.values.map((x, k) => x == null || r.levels?.[k] === 0);
  return {times, rows: orderRows(rows, times, events), step,
          window: {from, until}, extent: {from: times[0], until: times[times.length - 1] + step}};
}

// The signal that carries the events first, as the report picks it (report.cc,
// TechniqueSentence): of the signals the events name, active probing, else traffic, else the one
// that fell furthest (lowest mean % of expected inside the events); the others in IODA's order.
const CARRIER = ['ping-slash24', 'traffic'];
function orderRows(rows, times, events) {
  const named = new Set(events.flatMap((e) => String(e.datasource || '').split(/[,\s]+/).filter(Boolean)));
  const depth = (r) => {
    let sum = 0, cnt = 0;
    times.forEach((t, k) => {
      const v = r.values[k], e = r.base.mid[k];
      if (v == null || !e || !events.some((x) => t >= x.start && t < (x.end ?? Infinity))) return;
      sum += v / e;
      cnt++;
    });
    return cnt ? sum / cnt : Infinity;
  };
  const pref = (ds) => (CARRIER.includes(ds) ? CARRIER.indexOf(ds) : CARRIER.length);
  const key = (r) => (named.has(r.datasource) ? [0, pref(r.datasource), depth(r), 0]
                      : [1, 0, 0, ORDER.includes(r.datasource) ? ORDER.indexOf(r.datasource) : ORDER.length]);
  return rows.map((r) => [key(r), r]).sort(([x], [y]) => {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  }).map(([, r]) => r);
}

// Which baselines a chart draws, for its caption: 'detector', 'display' or 'mixed'.
export function bandSource(aligned) {
  const sources = new Set((aligned?.rows || []).map((r) => r.base.source));
  return sources.size === 1 ? [...sources][0] : sources.size ? 'mixed' : 'detector';
}

// Runs of true in a boolean array, as [first, last] index pairs.
function runs(mask) {
  const out = [];
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    let j = k;
    while (j + 1 < mask.length && mask[j + 1]) j++;
    out.push([k, j]);
    k = j;
  }
  return out;
}

let hatchCache = null;
function hatch(ctx) {
  if (!hatchCache) {
    const c = document.createElement('canvas');
    c.width = c.height = 8;
    const g = c.getContext('2d');
    g.strokeStyle = NO_DATA_LINE;
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.moveTo(-2, 2);
    g.lineTo(2, -2);
    g.moveTo(6, 10);
    g.lineTo(10, 6);
    g.stroke();
    hatchCache = c;
  }
  return ctx.createPattern(hatchCache, 'repeat');
}

// Draws, under the lines, the events (amber, a bar on top) and the row's no-data runs (hatched).
function shader(times, step, noData, events, small, row = null) {
  return (u) => {
    const ctx = u.ctx;
    ctx.save();
    const x = (t) => u.valToPos(t, 'x', true);
    const last = times[times.length - 1] + step;
    const bar = Math.max(2, Math.round(4 * (devicePixelRatio || 1)));
    for (const e of events) {
      const x0 = x(Math.max(e.start, times[0]));
      const x1 = x(Math.min(e.end ?? last, last));
      if (x1 <= x0) continue;
      ctx.fillStyle = EVENT_FILL;
      ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
      ctx.fillStyle = EVENT_BAR;
      ctx.fillRect(x0, u.bbox.top, x1 - x0, small ? Math.ceil(bar / 2) : bar);
    }
    // A live source's marks: the provisional bin tinted blue and edged with dashes, a gap's bin
    // tinted orange.
    for (const [t, fill] of [[row?.gap, LIVE_GAP_FILL], [row?.provisional, PROVISIONAL_FILL]]) {
      if (t == null || t + step <= times[0] || t >= last) continue;
      const x0 = x(Math.max(t, times[0])), x1 = x(Math.min(t + step, last));
      ctx.fillStyle = fill;
      ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
      if (fill === PROVISIONAL_FILL) {
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = PROVISIONAL_EDGE;
        ctx.strokeRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
        ctx.setLineDash([]);
      }
    }
    // No data last, over any event shading: a bin without measurements is no data, whatever
    // the event around it.
    if (noData) {
      const pattern = hatch(ctx);
      for (const [a, b] of runs(noData)) {
        const x0 = x(times[a]), x1 = x(Math.min(times[b] + step, last));
        ctx.fillStyle = '#fff';
        ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
        ctx.fillStyle = pattern;
        ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
      }
    }
    ctx.restore();
  };
}

// Curated records over the panel: a strip along the bottom per record, from its start to its end
// (whole-day records from midnight to midnight UTC, as the API gives them).
function curatedStrip(times, step, curated) {
  return (u) => {
    if (!curated?.length || !times.length) return;
    const ctx = u.ctx;
    ctx.save();
    const x = (t) => u.valToPos(t, 'x', true);
    const first = times[0], last = times[times.length - 1] + step;
    const h = Math.max(6, Math.round(8 * (devicePixelRatio || 1)));
    const y = u.bbox.top + u.bbox.height - h;
    for (const a of curated) {
      const x0 = x(Math.max(a.from, first)), x1 = x(Math.min(a.until, last));
      if (!(x1 > x0)) continue;
      ctx.fillStyle = CURATED_FILL;
      ctx.fillRect(x0, y, x1 - x0, h);
      ctx.strokeStyle = CURATED_EDGE;
      ctx.strokeRect(x0, y, x1 - x0, h);
    }
    ctx.restore();
  };
}

const widthOf = (box) => Math.max(120, box.clientWidth || Math.min(800, window.innerWidth - 32));

// The top of the y axis: the data's, not a fixed 130% or 300%. At least 110% (so "normal" sits
// below the top), at most what the 99th percentile of the drawn values and band needs.
function yMax(arrays, floor) {
  const xs = arrays.flat().filter((v) => v != null && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return floor || 1;
  const p99 = xs[Math.min(xs.length - 1, Math.floor(0.99 * xs.length))];
  const top = Math.max(floor, p99 * 1.05);
  const mag = 10 ** Math.floor(Math.log10(top));
  return Math.ceil(top / (mag / 2)) * (mag / 2);
}

const fmtValue = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en') : v.toPrecision(3));

// One small combined chart (related entities' cards): lines only, events shaded, no axes.
function drawSmall(container, aligned, events) {
  const {times, rows, step} = aligned;
  const data = [times], series = [{}];
  for (const r of rows) {
    data.push(r.values.map((x, k) => (x == null || !r.base.mid[k] ? null : (100 * x) / r.base.mid[k])));
    series.push({label: label(r.datasource), stroke: COLORS[r.datasource] || '#555', width: 1, scale: '%'});
  }
  const all = rows.length ? rows[0].noData.map((_, k) => rows.every((r) => r.noData[k])) : null;
  const opts = {
    width: widthOf(container), height: 90,
    scales: {x: {time: true}, '%': {range: () => [0, yMax(data.slice(1), 110)]}},
    axes: [{show: false}, {show: false, scale: '%'}],
    series, legend: {show: false}, cursor: {show: false},
    hooks: {drawClear: [shader(times, step, all, events, true)]},
  };
  container.replaceChildren();
  const u = new uPlot(opts, data, container);
  new ResizeObserver(() => u.setSize({width: widthOf(container), height: 90})).observe(container);
  return u;
}

let syncSeq = 0;

// onZoom(min, max) is called with the x range (Unix seconds) after the user zooms or resets.
// zone: null for UTC, else the IANA zone the times are shown in.
export function drawChart(container, aligned, events, {normalized = true, zone = null, small = false,
                                                         onZoom = null, height = null, curated = []} = {}) {
  if (small) return drawSmall(container, aligned, events);
  const {times, rows, step} = aligned;
  const phone = window.innerWidth < 600;
  const panelHeight = height || (phone ? 150 : 180);
  const syncKey = `blackout-${++syncSeq}`;
  const plots = [];
  let syncing = false, ready = 0;
  container.replaceChildren();
  const drawn = rows.map((r) => {
    const color = COLORS[r.datasource] || '#555';
    const data = [times];
    const series = [{value: (u, v) => (v == null ? '–' : fmtTime(v, zone))}];
    const bands = [];
    let yFloor = 0, unit = units(r.datasource);
    if (normalized) {
      const norm = (arr) => arr.map((x, k) => (x == null || !r.base.mid[k] ? null : (100 * x) / r.base.mid[k]));
      // No band where nothing was measured: the hatching alone says "no data" there.
      const band = (arr) => norm(arr).map((x, k) => (r.noData[k] ? null : x));
      data.push(band(r.base.hi), band(r.base.lo), norm(r.values));
      series.push({label: 'band high', stroke: 'transparent', points: {show: false}},
                  {label: 'band low', stroke: 'transparent', points: {show: false}},
                  {label: label(r.datasource), stroke: color, width: 1.5});
      bands.push({series: [1, 2], fill: color + '26'});
      yFloor = 110;
      unit = '% of expected';
    } else {
      data.push(r.values);
      series.push({label: label(r.datasource), stroke: color, width: 1.5});
    }
    const valueIdx = data.length - 1;
    const top = yMax(data.slice(1), yFloor);
    const of = r.base.source === 'detector' ? "the detector's expected level" : 'the display baseline';
    const valueText = el('span', {class: 'panel-value'});
    const head = el('div', {class: 'panel-head'},
        el('span', {class: 'key-line', style: `background:${color}`}),
        el('strong', {}, longLabel(r.datasource)),
        el('span', {class: 'muted panel-unit'}, normalized ? ` — % of ${of}` : ` — ${units(r.datasource) || 'value'}`),
        valueText);
    const box = el('div', {class: 'panel-plot'});
    const panel = el('div', {class: 'panel', 'data-datasource': r.datasource, 'data-band': r.base.source,
                             title: normalized ? BAND_TEXT[r.base.source] : ''}, head, box);
    container.append(panel);
    const showValue = (u) => {
      const i = u.cursor.idx;
      if (i == null) return (valueText.textContent = '');
      const v = data[valueIdx][i];
      valueText.textContent = ` ${fmtTime(times[i], zone)}: ` +
          (r.noData[i] ? 'no data' : v == null ? '–' : normalized ? `${Math.round(v)}% of expected` : `${fmtValue(v)} ${unit}`) +
          (r.provisional != null && times[i] >= r.provisional ? ' (provisional: the live bin is still filling)' : '');
    };
    const opts = {
      width: widthOf(container), height: panelHeight,
      scales: {x: {time: true}, y: {range: () => [0, top]}},
      axes: [{values: timeLabels(zone), size: 42},
             {size: 52, values: (u, ticks) => ticks.map((t) => (normalized ? `${t}%` : fmtValue(t)))}],
      bands, series,
      legend: {show: false},
      cursor: {sync: {key: syncKey}, drag: {x: true, y: false}},
      tzDate: (ts) => new Date(ts * 1000),
      hooks: {
        drawClear: [shader(times, step, r.noData, events, false, r), curatedStrip(times, step, curated)],
        setCursor: [showValue],
        ready: [() => ready++],
        setScale: [(u, key) => {
          if (key !== 'x' || syncing || ready < rows.length || u.scales.x.min == null) return;
          syncing = true;
          for (const p of plots) if (p !== u) p.setScale('x', {min: u.scales.x.min, max: u.scales.x.max});
          syncing = false;
          onZoom?.(Math.floor(u.scales.x.min), Math.ceil(u.scales.x.max));
        }],
      },
    };
    plots.push(new uPlot(opts, data, box));
    return {datasource: r.datasource, data, top};
  });
  container.append(chartKey(aligned, normalized));
  // What was drawn, for tests and the CSV download: per signal its baseline's source, arrays and
  // no-data bins; per panel the drawn series.
  container.dataset.band = bandSource(aligned);
  container.dataset.panels = String(rows.length);
  container.blackoutChart = {times, rows, panels: drawn, normalized};
  const ro = new ResizeObserver(() => {
    for (const p of plots) p.setSize({width: widthOf(container), height: panelHeight});
  });
  ro.observe(container);
  return plots;
}

// The marks shared by all panels.
function chartKey(aligned, normalized) {
  const anyNoData = aligned.rows.some((r) => r.noData.some(Boolean));
  return el('div', {class: 'chart-key small', id: 'chart-key'},
      el('span', {}, el('span', {class: 'key-box', style: `background:${EVENT_FILL};border-top:3px solid ${EVENT_BAR}`}), ' detected disruption'),
      el('span', {}, el('span', {class: 'key-box nodata'}), anyNoData ? ' no data (nothing measured)' : ' no data (none in this window)'),
      normalized ? el('span', {}, el('span', {class: 'key-box', style: 'background:#9995'}), " expected range (tinted in the signal's colour)") : null,
      aligned.rows.some((r) => r.provisional != null)
        ? el('span', {}, el('span', {class: 'key-box', style: `background:${PROVISIONAL_FILL};outline:1px dashed ${PROVISIONAL_EDGE}`}), ' provisional (a live feed\'s current bin, still filling)') : null,
      aligned.rows.some((r) => r.gap != null)
        ? el('span', {}, el('span', {class: 'key-box', style: `background:${LIVE_GAP_FILL}`}), ' gap in a live feed (peers\' state may lag)') : null);
}

// One PNG of every panel, stacked, with a title line (and the notice, e.g. SIMULATION, first).
export function chartPng(container, title, notice) {
  const canvases = [...container.querySelectorAll('.panel')].map((p) => [p, p.querySelector('canvas')]).filter(([, c]) => c);
  if (!canvases.length) return null;
  const dpr = devicePixelRatio || 1;
  const w = Math.max(...canvases.map(([, c]) => c.width));
  const line = Math.round(20 * dpr);
  const lines = [notice, title].filter(Boolean);
  const h = lines.length * line + canvases.reduce((s, [, c]) => s + c.height + line, 0) + 8 * dpr;
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const g = out.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  g.textBaseline = 'top';
  let y = 4 * dpr;
  for (const [i, text] of lines.entries()) {
    g.fillStyle = i === 0 && notice ? '#8a5a00' : '#111';
    g.font = `${i === 0 && notice ? 'bold ' : ''}${Math.round(13 * dpr)}px sans-serif`;
    g.fillText(text.length > 160 ? text.slice(0, 157) + '…' : text, 6 * dpr, y);
    y += line;
  }
  for (const [p, c] of canvases) {
    g.fillStyle = '#111';
    g.font = `${Math.round(12 * dpr)}px sans-serif`;
    g.fillText(`${p.querySelector('strong')?.textContent || ''}${p.querySelector('.panel-unit')?.textContent || ''}`, 6 * dpr, y);
    y += line;
    g.drawImage(c, 0, y);
    y += c.height;
  }
  return out;
}
