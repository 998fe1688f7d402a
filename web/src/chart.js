// Signal charts with uPlot: every signal normalised to its baseline (% of expected, with the
// baseline band) or in absolute units; outage periods shaded; missing data drawn as gaps; drag to
// zoom (double-click resets). The baseline is the server detector's expected value per bin when the
// API serves it (docs/web.md, "The drawn baseline"); the rolling display baseline of baseline.js
// only stands in for signals the detector does not judge, and the legend says which is drawn.
import uPlot from 'uplot';
import {rollingBaseline} from './baseline.js';
import {fmtTime} from './util.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');

// x-axis labels in the day-month order and 24-hour clock used in outage reports ("5 Jan",
// "12:00"), in UTC unless local time is chosen; the year under the first label.
function timeLabels(local) {
  return (u, splits, axisIdx, space, incr) => splits.map((t, i) => {
    const d = new Date(t * 1000);
    const [Y, M, D, h, m] = local
        ? [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]
        : [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
    const day = `${D} ${MONTHS[M]}`;
    if (incr >= 86400) return i === 0 || (M === 0 && D === 1) ? `${day}\n${Y}` : day;
    const hm = `${pad(h)}:${pad(m)}`;
    if (i === 0) return `${hm}\n${day} ${Y}`;
    return h === 0 && m === 0 ? `${hm}\n${day}` : hm;
  });
}

export const COLORS = {bgp: '#1f77b4', 'ping-slash24': '#d62728', 'merit-nt': '#2ca02c',
                       traffic: '#9467bd'};
const LABELS = {bgp: 'BGP (visible /24s)', 'ping-slash24': 'Active probing (/24s up)',
                'merit-nt': 'Darknet (unique sources)', traffic: 'Web traffic (unique clients)'};
export const label = (ds) => LABELS[ds] || ds;

// series: API signal objects ({datasource, from, step, values} and, when the server's detector
// judges the signal, expected/lower per bin); events: [{start, end}].
// Returns {times, step, rows:[{datasource, values, base}]} aligned on one time axis, where
// base = {mid, lo, hi, source}: source 'detector' when the API served the detector's expected
// values (mid = expected, lo = its band's lower edge expected - z*spread, hi = the mirror edge
// expected + z*spread), 'display' when it did not and the chart's own rolling baseline stands in.
const MAIN = new Set(['bgp', 'ping-slash24', 'merit-nt', 'traffic']);

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
  const series = main.length ? main : allSeries;
  const step = Math.min(...series.map((s) => s.step || 300));
  const from = Math.min(...series.map((s) => s.from));
  const until = Math.max(...series.map((s) => s.from + (s.values?.length || 0) * (s.step || 300)));
  const n = Math.max(0, Math.ceil((until - from) / step));
  const times = Array.from({length: n}, (_, i) => from + i * step);
  const inEvent = (t) => events.some((e) => t >= e.start && t < (e.end ?? Infinity));
  const rows = series.map((s) => {
    const v = spread(s, s.values, from, step, n);
    let base;
    if (Array.isArray(s.expected) && Array.isArray(s.lower)) {
      const mid = spread(s, s.expected, from, step, n);
      const lo = spread(s, s.lower, from, step, n);
      const hi = mid.map((e, k) => (e == null || lo[k] == null ? null : 2 * e - lo[k]));
      base = {mid, lo, hi, source: 'detector'};
    } else {
      base = {...rollingBaseline(times, v, 86400, inEvent), source: 'display'};
    }
    return {datasource: s.datasource, values: v, base};
  });
  return {times, rows, step};
}

// Which baselines a chart draws, for its caption: 'detector', 'display' or 'mixed'.
export function bandSource(aligned) {
  const sources = new Set((aligned?.rows || []).map((r) => r.base.source));
  return sources.size === 1 ? [...sources][0] : sources.size ? 'mixed' : 'detector';
}

// onZoom(min, max) is called with the x range (Unix seconds) after the user zooms or resets.
export function drawChart(container, aligned, events, {normalized = true, local = false,
                                                         height = 320, small = false, onZoom = null} = {}) {
  const {times, rows} = aligned;
  const data = [times];
  const uSeries = [{label: 'Time', value: (u, v) => (v == null ? '–' : fmtTime(v, local))}];
  const bands = [];
  const scales = {x: {time: true}};
  const axes = [{values: timeLabels(local)}];
  rows.forEach((r, i) => {
    const color = COLORS[r.datasource] || '#555';
    if (normalized) {
      const norm = (arr) => arr.map((x, k) => (x == null || !r.base.mid[k] ? null : (100 * x) / r.base.mid[k]));
      if (!small) {
        const lo = norm(r.base.lo), hi = norm(r.base.hi);
        data.push(hi, lo);
        const hiIdx = data.length - 2;
        uSeries.push({label: `${r.datasource} band high`, stroke: 'transparent', scale: '%', points: {show: false}},
                     {label: `${r.datasource} band low`, stroke: 'transparent', scale: '%', points: {show: false}});
        bands.push({series: [hiIdx, hiIdx + 1], fill: color + '22'});
      }
      data.push(norm(r.values));
      // The legend says which baseline the % is of: the detector's expected value or, for a
      // signal the detector does not judge, the display baseline.
      const of = r.base.source === 'detector' ? 'detector baseline' : 'display baseline';
      uSeries.push({label: small ? label(r.datasource) : `${label(r.datasource)} (${of})`,
                    stroke: color, width: small ? 1 : 1.5, scale: '%',
                    value: (u, v) => (v == null ? '–' : `${v.toFixed(0)}%`)});
    } else {
      const sc = `abs${i}`;
      scales[sc] = {};
      data.push(r.values);
      uSeries.push({label: label(r.datasource), stroke: color, width: 1.5, scale: sc});
      if (i < 2 && !small) axes.push({scale: sc, side: i === 0 ? 3 : 1, stroke: color,
                                      grid: {show: i === 0}});
    }
  });
  if (normalized) {
    scales['%'] = {range: () => [0, 130]};
    if (!small) axes.push({scale: '%', values: (u, ticks) => ticks.map((t) => `${t}%`)});
  }
  if (small) {
    axes[0] = {show: false};
    axes.push({show: false, scale: normalized ? '%' : 'abs0'});
  }
  const shade = (u) => {
    const ctx = u.ctx;
    ctx.save();
    // Grey with a red bar on top rather than red: the probing signal and its band are red, and a
    // red band inside a red shade could not be told apart.
    const bar = Math.max(2, Math.round(4 * (devicePixelRatio || 1)));
    for (const e of events) {
      const x0 = u.valToPos(Math.max(e.start, times[0]), 'x', true);
      const x1 = u.valToPos(Math.min(e.end ?? times[times.length - 1], times[times.length - 1]), 'x', true);
      if (x1 <= x0) continue;
      ctx.fillStyle = 'rgba(90, 90, 90, 0.12)';
      ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
      ctx.fillStyle = 'rgba(200, 30, 30, 0.75)';
      ctx.fillRect(x0, u.bbox.top, x1 - x0, small ? Math.ceil(bar / 2) : bar);
    }
    ctx.restore();
  };
  const opts = {
    // Before the container is laid out its width is 0: guess from the window, never wider than
    // it (a phone must not get an 800 px chart until the ResizeObserver below corrects it).
    width: Math.max(280, container.clientWidth || Math.min(800, window.innerWidth - 32)),
    height: small ? 90 : height,
    scales, axes, bands,
    series: uSeries,
    legend: {show: !small},
    cursor: {drag: {x: !small, y: false}},
    tzDate: local ? (ts) => new Date(ts * 1000) : (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    hooks: {drawClear: [shade]},
  };
  if (onZoom) {
    let ready = false;
    opts.hooks.ready = [() => (ready = true)];
    opts.hooks.setScale = [(u, key) => {
      if (ready && key === 'x' && u.scales.x.min != null) onZoom(Math.floor(u.scales.x.min), Math.ceil(u.scales.x.max));
    }];
  }
  container.replaceChildren();
  const u = new uPlot(opts, data, container);
  // What was drawn, for tests and the CSV download: per signal its baseline's source and arrays.
  container.dataset.band = bandSource(aligned);
  container.blackoutChart = {times, rows, data, normalized};
  rows.forEach((r) => u.root.querySelectorAll('.u-legend .u-series').forEach((row) => {
    if (row.textContent.includes(label(r.datasource))) {
      row.dataset.band = r.base.source;
      row.title = BAND_TEXT[r.base.source];
    }
  }));
  // The band's edge series are drawing aids: keep them out of the legend.
  u.root.querySelectorAll('.u-legend .u-series').forEach((row, i) => {
    if (uSeries[i]?.label?.includes(' band ')) row.style.display = 'none';
  });
  const ro = new ResizeObserver(() => u.setSize({width: Math.max(280, container.clientWidth), height: opts.height}));
  ro.observe(container);
  return u;
}
