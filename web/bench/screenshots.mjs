// Regenerates the dashboard screenshots in docs/img/ (referenced from docs/web.md): the KZ page,
// the Almaty page and the report chart, on the Kazakhstan scenario, 10 days from 3 January 2022.
//
//   node web/bench/screenshots.mjs [--url http://127.0.0.1:8080] [--out docs/img]
//
// Without --url it starts `blackout run` on a fresh data directory (about a minute to generate
// and ingest the scenario) and stops it afterwards. Debian's Chromium via playwright-core. The
// PNGs are the top of each page at 1280 px (device scale 1), kept under 300 KB.
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';
import {freePort} from '../net.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
let base = arg('--url', null);
const out = resolve(arg('--out', join(root, 'docs', 'img')));
const win = 'from=2022-01-03&until=2022-01-13';
mkdirSync(out, {recursive: true});

let server = null, dataDir = null;
if (!base) {
  const binary = process.env.BLACKOUT_BINARY || join(root, process.env.BLACKOUT_BUILD_DIR || 'build', 'src', 'cli', 'blackout');
  dataDir = mkdtempSync(join(tmpdir(), 'blackout-shots-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['run', '--data-dir', join(dataDir, 'data'), '--listen', `127.0.0.1:${port}`],
                 {cwd: dataDir, stdio: 'ignore'});
  const deadline = Date.now() + 8 * 60 * 1000;
  for (;;) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error('blackout run did not serve events in time');
    try {
      const r = await fetch(`${base}/api/v2/outages/events?entityType=country&entityCode=KZ&${win}`);
      if (r.ok && (await r.json()).data?.length) break;
    } catch { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const browser = await chromium.launch({executablePath: '/usr/bin/chromium', headless: true,
                                       args: ['--no-sandbox', '--disable-gpu', '--no-first-run']});
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 1000}, deviceScaleFactor: 1});
  const shot = async (name, url, ready, {height = 1000, selector = null} = {}) => {
    await page.setViewportSize({width: 1280, height});
    await page.goto(`${base}${url}`);
    await page.waitForSelector(ready);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    const file = join(out, `${name}.png`);
    if (selector) await page.locator(selector).screenshot({path: file});
    else await page.screenshot({path: file});
    const kb = statSync(file).size / 1024;
    console.log(`${file}: ${kb.toFixed(0)} KB`);
    if (kb > 300) throw new Error(`${file} is over 300 KB`);
  };
  await shot('kz', `/?entity=country/KZ&${win}`, '#chart canvas', {height: 1250});
  await shot('almaty', `/?entity=region/KZ-ALA&${win}`, '#chart canvas', {height: 1150});
  // The report's chart as the server renders it (the PNG a journalist downloads).
  const r = await fetch(`${base}/api/v2/reports/country/KZ/chart.png?${win}&width=1000&height=500`);
  if (!r.ok) throw new Error(`report chart: HTTP ${r.status}`);
  const png = Buffer.from(await r.arrayBuffer());
  writeFileSync(join(out, 'report-chart.png'), png);
  console.log(`${join(out, 'report-chart.png')}: ${(png.length / 1024).toFixed(0)} KB`);
  if (png.length > 300 * 1024) throw new Error('report-chart.png is over 300 KB');
} finally {
  await browser.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, {recursive: true, force: true});
  }
}
