// Browser tests of the dashboard: Debian's Chromium driven by playwright-core (no browser download)
// against `blackout run` serving the Kazakhstan 2022 scenario from a fresh data directory.
// Screenshots are kept in web/test-artifacts/ — look at them.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, mkdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {createServer} from 'node:net';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const binary = process.env.BLACKOUT_BINARY || join(root, process.env.BLACKOUT_BUILD_DIR || 'build', 'src', 'cli', 'blackout');
const artifacts = join(root, 'web', 'test-artifacts');
mkdirSync(artifacts, {recursive: true});

let server, browser, page, base, dataDir, serverLog = '';

const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const {port} = s.address();
    s.close(() => ok(port));
  });
  s.on('error', fail);
});

async function waitForEvents(deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`blackout run exited ${server.exitCode}:\n${serverLog}`);
    try {
      const r = await fetch(`${base}/api/v2/outages/events?entityType=country&entityCode=KZ&from=2022-01-01&until=2022-01-20`);
      if (r.ok) {
        const body = await r.json();
        if (body.data?.length) return body.data;
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no KZ events served in time:\n${serverLog.slice(-4000)}`);
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'blackout-web-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['run', '--data-dir', join(dataDir, 'data'), '--listen', `127.0.0.1:${port}`],
                 {cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe']});
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  await waitForEvents(8 * 60 * 1000);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, acceptDownloads: true});
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(dataDir, {recursive: true, force: true});
});

test('the overview map draws the countries and marks Kazakhstan', async () => {
  await page.goto(`${base}/?from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('svg.map path.shape');
  const shapes = await page.locator('svg.map path.shape').count();
  assert.ok(shapes > 200, `only ${shapes} country shapes drawn`);
  const kz = page.locator('svg.map path[data-code="KZ"]');
  assert.equal(await kz.count(), 1);
  assert.match(await kz.getAttribute('class'), /affected/);
  assert.notEqual(await kz.getAttribute('fill'), '#e6e6e6');
  const table = await page.locator('#summary-table').innerText();
  assert.match(table, /Kazakhstan/);
  await page.screenshot({path: join(artifacts, 'overview.png'), fullPage: true});
});

test('typing "Kaz" in search reaches the KZ page', async () => {
  await page.fill('#search', 'Kaz');
  await page.waitForSelector('#search-results li[data-entity="country/KZ"]');
  await page.click('#search-results li[data-entity="country/KZ"]');
  await page.waitForSelector('#chart canvas');
  assert.match(page.url(), /entity=country%2FKZ|entity=country\/KZ/);
  assert.match(await page.locator('h1').innerText(), /Kazakhstan/);
});

test('the KZ page shades 5-11 January 2022 and lists Almaty among affected regions', async () => {
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#events-table');
  const starts = await page.locator('#events-table tbody tr td:first-child').allInnerTexts();
  assert.ok(starts.length >= 1);
  assert.ok(starts.some((s) => /2022-01-0[45]/.test(s)), `event starts: ${starts}`);
  // The shaded spans are the events; together they must cover 5 Jan 12:00 to 10 Jan 00:00 UTC.
  const events = await page.evaluate(async () => (await (await fetch(
      '/api/v2/outages/events?entityType=country&entityCode=KZ&from=2022-01-03&until=2022-01-13')).json()).data);
  const covered = (t) => events.some((e) => t >= e.start && t < e.start + e.duration);
  for (const t of ['2022-01-05T12:00:00Z', '2022-01-07T12:00:00Z', '2022-01-09T12:00:00Z']) {
    assert.ok(covered(Date.parse(t) / 1000), `${t} is not inside a shaded event`);
  }
  await page.waitForSelector('#related .mini');
  const related = await page.locator('#related').innerText();
  assert.match(related, /Almaty/);
  await page.screenshot({path: join(artifacts, 'kz.png'), fullPage: true});
});

test('the URL round-trips after reload', async () => {
  await page.goto(`${base}/?entity=region/KZ-ALA&from=2022-01-03&until=2022-01-13&norm=0`);
  await page.waitForSelector('#chart canvas');
  const before = page.url();
  await page.reload();
  await page.waitForSelector('#chart canvas');
  assert.equal(page.url(), before);
  assert.match(await page.locator('h1').innerText(), /Almaty/);
  assert.equal(await page.locator('#norm').isChecked(), false);
  await page.goBack().catch(() => {});
});

test('CSV and PNG downloads arrive and parse', async () => {
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#chart canvas');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
  const text = readFileSync(await csv.path(), 'utf8');
  const lines = text.trim().split('\n');
  assert.match(lines[0], /^timestamp,time_utc,/);
  assert.ok(lines.length > 100, `${lines.length} CSV lines`);
  const cols = lines[0].split(',').length;
  for (const l of lines.slice(1)) assert.equal(l.split(',').length, cols);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#dl-png')]);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 2000);
});

test('works on a phone-width screen', async () => {
  await page.setViewportSize({width: 390, height: 844});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#chart canvas');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 2, `page is ${overflow}px wider than the screen`);
  await page.screenshot({path: join(artifacts, 'kz-phone.png'), fullPage: true});
});
