// Formatting and small helpers shared by the views.
//
// Times are shown in UTC or in a named IANA zone (the entity's, from the API's `timeZone`, or the
// browser's), always labelled. The offset comes from Intl.DateTimeFormat with `timeZone` (the
// browser's copy of the tz database, as of each instant), never from a table of our own: January
// 2022 in Almaty is UTC+6 although Kazakhstan has used UTC+5 since 2024.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');
const formatters = new Map();

// The browser's own zone (for "local time" where the entity has none, e.g. a network).
export const browserZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

// `zone`: null/false/'UTC' = UTC; true or 'local' = the browser's zone; else an IANA name.
const resolveZone = (zone) => (!zone || zone === 'UTC' || zone === 'Etc/UTC' ? null
                               : zone === true || zone === 'local' ? browserZone() : zone);

// Calendar fields of instant `t` (Unix seconds) in `zone`, and the zone's offset then ("UTC+6").
export function zoneParts(t, zone) {
  const tz = resolveZone(zone);
  const d = new Date(t * 1000);
  if (!tz) {
    return {Y: d.getUTCFullYear(), M: d.getUTCMonth(), D: d.getUTCDate(), h: d.getUTCHours(),
            m: d.getUTCMinutes(), offset: 'UTC'};
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric',
                                          day: 'numeric', hour: 'numeric', minute: 'numeric',
                                          timeZoneName: 'shortOffset'});
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  // "GMT+6", "GMT+5:30", "GMT" -> "UTC+6", "UTC+5:30", "UTC".
  const offset = String(p.timeZoneName || 'GMT').replace(/^GMT/, 'UTC');
  return {Y: Number(p.year), M: Number(p.month) - 1, D: Number(p.day), h: Number(p.hour) % 24,
          m: Number(p.minute), offset};
}

// How a zone is named next to a time: "Almaty time", "your time".
export function zoneLabel(zone) {
  const tz = resolveZone(zone);
  if (!tz) return 'UTC';
  if (zone === true || zone === 'local') return 'your time';
  const city = tz.split('/').pop().replace(/_/g, ' ');
  return `${city} time`;
}

const ymd = (p) => `${p.Y}-${pad(p.M + 1)}-${pad(p.D)}`;
const hm = (p) => `${pad(p.h)}:${pad(p.m)}`;
const suffix = (p, zone) => (resolveZone(zone) ? ` ${zoneLabel(zone)} (${p.offset})` : ' UTC');

// "2022-01-04 14:30 UTC", or "2022-01-04 20:30 Almaty time (UTC+6)".
export function fmtTime(t, zone) {
  const p = zoneParts(t, zone);
  return `${ymd(p)} ${hm(p)}${suffix(p, zone)}`;
}

// The clock time of `t` in `zone`, labelled, with the day when it is not the UTC day of `t`:
// "20:30 Almaty time (UTC+6)", "5 Jan 01:30 Almaty time (UTC+6)".
export function fmtClock(t, zone) {
  const p = zoneParts(t, zone), u = zoneParts(t, null);
  const day = p.D !== u.D ? `${p.D} ${MONTHS[p.M]} ` : '';
  return `${day}${hm(p)}${suffix(p, zone)}`;
}

// The end of a span that starts at `start`: only the time when it is the same day in `zone`.
export function fmtEnd(start, end, zone) {
  const a = zoneParts(start, zone), b = zoneParts(end, zone);
  if (ymd(a) !== ymd(b)) return fmtTime(end, zone);
  return `${hm(b)}${suffix(b, zone)}`;
}

// The report's and the API's wording (src/blackout/report/wording.cc: FormatPercent,
// FormatDuration, DepthPhrase), for the few figures the API gives as numbers only (phase depths):
// one decimal below 10%, whole percent above; durations in days, hours and minutes.
export function fmtPercent(pct) {
  if (pct == null || !Number.isFinite(pct)) return 'n/a';
  const r1 = Math.round(pct * 10) / 10;
  let s = Math.abs(r1) < 10 ? r1.toFixed(1) : Math.round(pct).toFixed(0);
  if (s.endsWith('.0')) s = s.slice(0, -2);
  if (s === '-0') s = '0';
  return `${s}%`;
}

export function fmtDuration(seconds) {
  if (seconds == null) return 'ongoing';
  if (seconds < 60) return 'less than a minute';
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  return [[d, 'day'], [h, 'hour'], [m, 'minute']].filter(([n]) => n)
      .map(([n, u]) => `${n} ${u}${n === 1 ? '' : 's'}`).join(' ');
}

// "to 5% of its usual level" for a depth given as a fraction of ordinary.
export function fmtLevel(depth) {
  if (depth == null || !Number.isFinite(depth)) return 'level unknown';
  return `to ${fmtPercent(Math.min(Math.max(depth, 0), 10) * 100)} of its usual level`;
}

let displayNames = null;
// English country name for an ISO alpha-2 code (the browser's CLDR data), else the code.
export function countryName(code) {
  try {
    displayNames ??= new Intl.DisplayNames(['en'], {type: 'region'});
    return displayNames.of(code) || code;
  } catch {
    return code;
  }
}

// How an entity from the API is named in lists: networks also by number, since several ASNs can
// share an operator's name ("Kar-Tel LLC (AS206026)").
export function entityLabel(entity) {
  const name = entity?.name || entity?.code || '?';
  if (entity?.type === 'asn' && entity.code && name !== entity.code) return `${name} (AS${entity.code})`;
  return name;
}

export const pct = (x) => (x == null || Number.isNaN(x) ? '–' : fmtPercent(x * 100));

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c != null && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

export function download(name, blob) {
  const a = el('a', {href: URL.createObjectURL(blob), download: name});
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

export function toCsv(rows) {
  const q = (v) => (v == null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return rows.map((r) => r.map(q).join(',')).join('\n') + '\n';
}

export function parseTime(s) {
  if (s == null || s === '') return null;
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z');
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}

// Severity colour for a score relative to the largest one (0 = none).
export function severityColor(score, max) {
  if (!score || !max) return '#e6e6e6';
  const x = Math.min(1, Math.log1p(score) / Math.log1p(max));
  const r = 255, g = Math.round(220 - 190 * x), b = Math.round(120 - 110 * x);
  return `rgb(${r},${g},${b})`;
}
