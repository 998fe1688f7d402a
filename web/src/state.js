// The view's state lives in the URL (shareable; the back button works). Overview: `/?from=&until=
// &map=KZ`; entity page: `/?entity=country/KZ&from=&until=&norm=1`; its report:
// `/?entity=country/KZ&view=report&from=&until=`. `tz=local` switches display times.
const KEYS = ['entity', 'view', 'from', 'until', 'map', 'norm', 'tz'];

export function read() {
  const q = new URLSearchParams(location.search);
  const s = {};
  for (const k of KEYS) if (q.has(k)) s[k] = q.get(k);
  return s;
}

export function write(next, {replace = false} = {}) {
  const q = new URLSearchParams();
  for (const k of KEYS) if (next[k] !== undefined && next[k] !== null && next[k] !== '') q.set(k, next[k]);
  const url = `${location.pathname}${q.toString() ? '?' + q : ''}`;
  if (url === location.pathname + location.search) return;
  (replace ? history.replaceState : history.pushState).call(history, null, '', url);
}
