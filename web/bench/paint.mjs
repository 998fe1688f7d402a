// Measures the overview's first meaningful paint in Debian's Chromium (playwright-core) against
// `blackout run` serving the Kazakhstan scenario: first contentful paint (Performance API), and the
// moment the world map and the summary table are both drawn (a MutationObserver installed before
// the page's scripts run), over several cold loads (new browser context: empty cache) and warm
// reloads. Not a test: it prints figures for docs/web.md.
//
//   node web/bench/paint.mjs [--runs N] [--data-dir DIR] [--url http://127.0.0.1:8080]
// With --url it measures a server already running; otherwise it starts one (reusing --data-dir
// when it already holds the scenario, so repeated runs skip the generation).
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import http from 'node:http';
import {gzipSync} from 'node:zlib';
import {freePort} from '../net.mjs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const {values: args} = parseArgs({options: {
  runs: {type: 'string', default: '7'},
  'data-dir': {type: 'string'},
  url: {type: 'string'},
  // Put a small proxy in front of the server that sends web/dist's files gzipped once at start
  // (and passes the API through untouched), to separate the dashboard's own cost from the
  // server's compression of every response (see docs/web.md).
  'gzip-proxy': {type: 'boolean', default: false},
}});
const runs = Number(args.runs);

let server = null, base = args.url;
if (!base) {
  const binary = process.env.BLACKOUT_BINARY ||
      join(root, process.env.BLACKOUT_BUILD_DIR || 'build', 'src', 'cli', 'blackout');
  const dataDir = args['data-dir'] || join(mkdtempSync(join(tmpdir(), 'blackout-paint-')), 'data');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['run', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`],
                 {stdio: ['ignore', 'ignore', 'inherit']});
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error('server did not come up');
    try {
      const r = await fetch(`${base}/api/v2/outages/summary?from=2022-01-03&until=2022-01-13`);
      if (r.ok && (await r.json()).data?.length) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

let proxy = null;
if (args['gzip-proxy']) {
  const dist = join(root, 'web', 'dist');
  const upstream = new URL(base);
  const types = {'.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
                 '.json': 'application/json', '.html': 'text/html; charset=utf-8'};
  const cache = new Map();
  proxy = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    const file = path.startsWith('/assets/') && !path.includes('..') ? join(dist, path) : null;
    if (file && existsSync(file)) {
      if (!cache.has(file)) cache.set(file, gzipSync(readFileSync(file), {level: 6}));
      res.writeHead(200, {'Content-Type': types[file.slice(file.lastIndexOf('.'))] || 'application/octet-stream',
                          'Content-Encoding': 'gzip', 'Cache-Control': 'public, max-age=31536000, immutable'});
      return res.end(cache.get(file));
    }
    const up = http.request({host: upstream.hostname, port: upstream.port, path: req.url, method: req.method,
                             headers: {...req.headers, 'accept-encoding': 'identity', host: upstream.host}}, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise((ok) => proxy.listen(port, '127.0.0.1', ok));
  base = `http://127.0.0.1:${port}`;
}

// Installed before the page's own scripts: records when the map and the table are first drawn.
const observe = () => {
  window.__paint = {};
  new MutationObserver(() => {
    const p = window.__paint;
    if (!p.map && document.querySelector('svg.map path.shape')) p.map = performance.now();
    if (!p.table && document.querySelector('#summary-table tbody tr')) p.table = performance.now();
  }).observe(document, {childList: true, subtree: true});
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync', '--disable-quic'],
});
const url = `${base}/?from=2022-01-03&until=2022-01-13`;
async function measure(page, load) {
  await load();
  await page.waitForFunction(() => window.__paint?.map && window.__paint?.table, null, {timeout: 60000});
  return page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
    const nav = performance.getEntriesByType('navigation')[0];
    const bytes = performance.getEntriesByType('resource').reduce((s, r) => s + (r.transferSize || 0), 0) +
                  (nav?.transferSize || 0);
    // Download times of the two large files: the server compresses them on every request.
    const took = (re) => performance.getEntriesByType('resource').find((r) => re.test(r.name))?.duration ?? 0;
    return {fcp, map: window.__paint.map, world: took(/\/world-/), app: took(/\/app-[^/]*\.js$/), table: window.__paint.table,
            meaningful: Math.max(window.__paint.map, window.__paint.table), bytes};
  });
}

const cold = [], warm = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  await context.addInitScript(observe);
  const page = await context.newPage();
  cold.push(await measure(page, () => page.goto(url)));
  warm.push(await measure(page, () => page.reload()));
  await context.close();
}
await browser.close();
if (server) server.kill('SIGTERM');
proxy?.close();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return `median ${q(0.5).toFixed(0)} ms, min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)}`;
};
for (const [name, xs] of [['cold (empty cache)', cold], ['warm (reload)', warm]]) {
  console.log(`${name}, ${xs.length} loads:`);
  console.log(`  first contentful paint: ${stats(xs.map((x) => x.fcp))}`);
  console.log(`  app.js download:        ${stats(xs.map((x) => x.app))}`);
  console.log(`  world map download:     ${stats(xs.map((x) => x.world))}`);
  console.log(`  map drawn:              ${stats(xs.map((x) => x.map))}`);
  console.log(`  map and table drawn:    ${stats(xs.map((x) => x.meaningful))}`);
  console.log(`  bytes transferred:      ${(xs[0].bytes / 1024).toFixed(0)} KiB (first load)`);
}
