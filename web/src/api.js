// Thin client for blackout's IODA-shaped API (docs/api.md). Every call returns the envelope's data
// or throws an Error carrying the server's message. Every envelope's `metadata.provenance` (where
// the numbers come from, and whether they are a SIMULATION) goes to the onProvenance listeners.
const provenanceListeners = [];
let lastProvenance = null;
export function onProvenance(fn) {
  provenanceListeners.push(fn);
  if (lastProvenance) fn(lastProvenance);
}
export const provenance = () => lastProvenance;
function noteProvenance(p) {
  if (!p || typeof p !== 'object') return;
  if (lastProvenance && lastProvenance.notice === p.notice && lastProvenance.sources === p.sources &&
      lastProvenance.simulation === p.simulation) return;
  lastProvenance = p;
  for (const fn of provenanceListeners) fn(p);
}

export async function api(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const url = `/api/v2/${path}${qs.toString() ? '?' + qs : ''}`;
  const res = await fetch(url);
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  noteProvenance(body?.metadata?.provenance);
  if (!res.ok || body.error) throw new Error(body.error || `HTTP ${res.status}`);
  return body.data;
}

// With the detector's expected value, band edge and level per bin (expected/lower/levels; null
// for a signal the detector does not judge).
export const signals = (type, code, from, until, maxPoints = 4000) =>
  api(`signals/raw/${encodeURIComponent(type)}/${encodeURIComponent(code)}`,
      {from, until, maxPoints, expected: true}).then((d) => (Array.isArray(d) ? d.flat() : []));
export const events = (p) => api('outages/events', {limit: 1000, ...p});
export const summary = (p) => api('outages/summary', {limit: 1000, ...p});
export const entities = (p) => api('entities/query', {limit: 50, ...p});
export const meta = () => api('meta');
// Users' notes and curated outage lists' records (docs/annotations.md): those with a `source`.
export const annotations = (p) => api('annotations', p);
let datasourcesOnce = null;
export const datasources = () => (datasourcesOnce ??= api('datasources').catch(() => (datasourcesOnce = null, [])));
// Whether anything was measured for an entity in a window: one bucket per signal is enough.
export const measured = (type, code, from, until) =>
  api(`signals/raw/${encodeURIComponent(type)}/${encodeURIComponent(code)}`, {from, until, maxPoints: 1})
      .then((d) => (Array.isArray(d) ? d.flat() : []).some((s) => (s.values || []).some((v) => v != null)));
export const csvUrl = (type, code, from, until, datasource) =>
  `/api/v2/signals/raw/${encodeURIComponent(type)}/${encodeURIComponent(code)}?` +
  new URLSearchParams({from, until, datasource, format: 'csv'});
export const report = (type, code, from, until) =>
  api(`reports/${encodeURIComponent(type)}/${encodeURIComponent(code)}`, {from, until});
