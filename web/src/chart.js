// Signal charts with uPlot: every signal normalised to its baseline (% of expected, with the
// baseline band) or in absolute units; outage periods shaded; missing data drawn as gaps; drag to
// zoom (double-click resets).
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

// series: API signal objects ({datasource, from, step, values}); events: [{start, end}].
// Returns {times, rows:[{datasource, values, expected}]} aligned on one time axis.
const MAIN = new Set(['bgp', 'ping-slash24', 'merit-nt', 'traffic']);

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
    const v = new Array(n).fill(null);
    // A value holds for its own step: a 660 s probe round fills every 300 s bin it covers, so
    // coarser signals draw as lines rather than isolated points.
    const span = Math.max(1, Math.round(s.step / step));
    (s.values || []).forEach((x, i) => {
      const k0 = Math.floor((s.from + i * s.step - from) / step);
      if (x == null) return;
      for (let k = Math.max(0, k0); k < Math.min(n, k0 + span); k++) v[k] = x;
    });
    const base = rollingBaseline(times, v, 86400, inEvent);
    return {datasource: s.datasource, values: v, base};
  });
  return {times, rows, step};
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
      uSeries.push({label: label(r.datasource), stroke: color, width: small ? 1 : 1.5, scale: '%',
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
    width: Math.max(280, container.clientWidth || 800),
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
  // The band's edge series are drawing aids: keep them out of the legend.
  u.root.querySelectorAll('.u-legend .u-series').forEach((row, i) => {
    if (uSeries[i]?.label?.includes(' band ')) row.style.display = 'none';
  });
  const ro = new ResizeObserver(() => u.setSize({width: Math.max(280, container.clientWidth), height: opts.height}));
  ro.observe(container);
  return u;
}
