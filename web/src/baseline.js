// A display baseline for charts: for each bin, the median of the previous `window` seconds of
// values, leaving out bins inside known events (so an outage does not drag its own baseline down,
// as IODA's inpainting intends) and missing bins. The band is the 10th-90th percentile of the same
// window. This is for drawing only, and only a fallback: charts draw the server detector's
// expected values when the API serves them (chart.js), this where it does not (a signal the
// detector does not judge). Alerts and events always come from the server's detector.
export function rollingBaseline(times, values, windowSeconds, excluded = () => false) {
  const n = times.length;
  const mid = new Array(n).fill(null), lo = new Array(n).fill(null), hi = new Array(n).fill(null);
  const win = [];  // indices of usable bins in the window
  let head = 0;
  for (let i = 0; i < n; i++) {
    while (head < i && times[head] < times[i] - windowSeconds) head++;
    // Rebuild lazily: windows are small (<= a few hundred bins at dashboard resolution).
    win.length = 0;
    for (let j = head; j < i; j++) {
      const v = values[j];
      if (v != null && !Number.isNaN(v) && !excluded(times[j])) win.push(v);
    }
    if (win.length >= 3) {
      win.sort((a, b) => a - b);
      const q = (p) => win[Math.min(win.length - 1, Math.floor(p * (win.length - 1) + 0.5))];
      mid[i] = q(0.5);
      lo[i] = q(0.1);
      hi[i] = q(0.9);
    } else if (i > 0 && mid[i - 1] != null) {
      // Inside a long disruption the window has nothing usable: keep the last baseline.
      [mid[i], lo[i], hi[i]] = [mid[i - 1], lo[i - 1], hi[i - 1]];
    }
  }
  // The first bins have no history: use the first computed value so the line starts at once.
  const first = mid.findIndex((v) => v != null);
  if (first > 0) for (let i = 0; i < first; i++) [mid[i], lo[i], hi[i]] = [mid[first], lo[first], hi[first]];
  return {mid, lo, hi};
}
