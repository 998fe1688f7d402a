// Formatting and small helpers shared by the views.
export function fmtTime(t, local) {
  const d = new Date(t * 1000);
  if (local) {
    return d.toLocaleString(undefined, {year: 'numeric', month: 'short', day: 'numeric',
                                        hour: '2-digit', minute: '2-digit'});
  }
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

// The end of a span that starts at `start`: only the time when it is the same day.
export function fmtEnd(start, end, local) {
  const a = new Date(start * 1000), b = new Date(end * 1000);
  const sameDay = local ? a.toDateString() === b.toDateString()
                        : a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);
  if (!sameDay) return fmtTime(end, local);
  if (local) return b.toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit'});
  return b.toISOString().slice(11, 16) + ' UTC';
}

export function fmtDuration(seconds) {
  if (seconds == null) return 'ongoing';
  const h = Math.floor(seconds / 3600), m = Math.round((seconds % 3600) / 60);
  if (h >= 48) return `${Math.floor(h / 24)} d ${h % 24} h`;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
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

export const pct = (x) => (x == null || Number.isNaN(x) ? '–' : `${Math.round(x * 100)}%`);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) e.append(c instanceof Node ? c : String(c));
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
