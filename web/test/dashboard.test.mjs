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
import {freePort} from '../net.mjs';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const binary = process.env.BLACKOUT_BINARY || join(root, process.env.BLACKOUT_BUILD_DIR || 'build', 'src', 'cli', 'blackout');
const artifacts = join(root, 'web', 'test-artifacts');
mkdirSync(artifacts, {recursive: true});

let server, browser, page, base, dataDir, serverLog = '';

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
  // Affected countries are links for the keyboard too.
  assert.equal(await kz.getAttribute('tabindex'), '0');
  await kz.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('country/KZ'));
});

test('typing "Kaz" in search reaches the KZ page', async () => {
  await page.fill('#search', 'Kaz');
  await page.waitForSelector('#search-results li[data-entity="country/KZ"]');
  await page.click('#search-results li[data-entity="country/KZ"]');
  await page.waitForSelector('#chart canvas');
  assert.match(page.url(), /entity=country%2FKZ|entity=country\/KZ/);
  assert.match(await page.locator('h1').innerText(), /Kazakhstan/);
  // A network written the usual way, "AS9198", is found by its number.
  await page.fill('#search', 'AS9198');
  await page.waitForSelector('#search-results li[data-entity="asn/9198"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /entity=asn%2F9198|entity=asn\/9198/.test(location.search));
  await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('asn/9198'));
  assert.match(await page.locator('h1').innerText(), /Kazakhtelecom/);
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
  // A region page links its country and lists the networks its events name as carriers.
  assert.equal(await page.locator('#parent-country').getAttribute('href'), '?entity=country/KZ');
  const carriers = await page.evaluate(async () => {
    const q = 'from=2022-01-03&until=2022-01-13';
    const evs = (await (await fetch(`/api/v2/outages/events?entityType=region&entityCode=KZ-ALA&${q}`)).json()).data;
    const affected = new Set((await (await fetch(`/api/v2/outages/summary?entityType=asn&${q}`)).json()).data
        .map((r) => `asn/${r.entity.code}`));
    return [...new Set(evs.flatMap((e) => e.related || []))].filter((r) => affected.has(r));
  });
  assert.ok(carriers.length >= 1, 'the Almaty events name no affected network');
  await page.waitForSelector('#related .mini[data-entity^="asn/"]');
  const shown = await page.locator('#related').innerText();
  for (const c of carriers.slice(0, 12)) {
    assert.equal(await page.locator(`#related .mini[data-entity="${c}"]`).count(), 1, `${c} not shown: ${shown}`);
  }
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
  // The overview (map above the table) and the report fit too.
  for (const [name, url, ready] of [
    ['overview-phone', '/?from=2022-01-03&until=2022-01-13', 'svg.map path.shape'],
    ['report-phone', '/?entity=country/KZ&view=report&from=2022-01-03&until=2022-01-13', '#report-text h1'],
  ]) {
    await page.goto(`${base}${url}`);
    await page.waitForSelector(ready);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(over <= 2, `${name}: page is ${over}px wider than the screen`);
    await page.screenshot({path: join(artifacts, `${name}.png`), fullPage: true});
  }
});

test('the events table shows each event\'s phases with times, and its technique', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#events-table');
  const events = await page.evaluate(async () => (await (await fetch(
      '/api/v2/outages/events?entityType=country&entityCode=KZ&from=2022-01-03&until=2022-01-13')).json()).data);
  const rows = page.locator('#events-table tbody tr');
  assert.equal(await rows.count(), events.length);
  // The scenario's shutdown is measured in phases and with a technique (filtering: routes stayed).
  const withPhases = events.filter((e) => Array.isArray(e.phases) && e.phases.length);
  assert.ok(withPhases.length >= 1, 'no KZ event carries phases');
  assert.ok(events.some((e) => e.technique), 'no KZ event carries a technique');
  const utc = (t) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const phasesCell = await rows.nth(i).locator('td').nth(6).innerText();
    const techCell = (await rows.nth(i).locator('td').nth(7).innerText()).trim();
    for (const p of e.phases || []) {
      assert.ok(phasesCell.includes(p.phase.replace(/-/g, ' ')), `phase ${p.phase} missing: ${phasesCell}`);
      assert.ok(phasesCell.includes(utc(p.start)), `phase start ${utc(p.start)} missing: ${phasesCell}`);
      // The end shows only its time when it is the start's day.
      const end = p.end == null ? null : utc(p.end).slice(0, 10) === utc(p.start).slice(0, 10)
          ? utc(p.end).slice(11) : utc(p.end);
      if (end) assert.ok(phasesCell.includes(`${utc(p.start)} – ${end}`), `phase span ${end} missing: ${phasesCell}`);
      else assert.match(phasesCell, /ongoing/);
    }
    if (e.technique) assert.equal(techCell, e.technique.replace(/-/g, ' '));
  }
  // The nation-wide event of 5 January is filtering, and its first phase starts that day.
  const main = withPhases.find((e) => e.start <= Date.parse('2022-01-05T12:00:00Z') / 1000 &&
                                      e.start + e.duration > Date.parse('2022-01-07T00:00:00Z') / 1000);
  assert.ok(main, 'no event with phases spans 5-7 January');
  const vocabulary = ['reduced-connectivity', 'near-total-blackout', 'partial-recovery', 'total-recovery'];
  for (const p of main.phases) assert.ok(vocabulary.includes(p.phase), `unknown phase ${p.phase}`);
  await page.locator('#events-table').screenshot({path: join(artifacts, 'kz-events.png')});
});

test('the map switches to Kazakhstan\'s regions, marks Almaty, and leads to its page', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('svg.map path.shape');
  // The switch is the "Regions of…" select; the state goes to the URL as map=KZ.
  await page.selectOption('select[aria-label="Show a country\'s regions"]', 'KZ');
  await page.waitForFunction(() => document.querySelector('svg.map')?.getAttribute('aria-label')?.includes('Kazakhstan'));
  assert.match(page.url(), /[?&]map=KZ(&|$)/);
  const codes = await page.locator('svg.map path.shape').evaluateAll((ps) => ps.map((p) => p.dataset.code));
  // Kazakhstan has 14 regions and 3 cities in ISO 3166-2 (Shymkent is newer than the map); one
  // shape per code, each a Kazakh subdivision.
  assert.ok(codes.length >= 14 && codes.length <= 17, `${codes.length} region shapes`);
  assert.equal(new Set(codes).size, codes.length, `duplicate codes: ${codes}`);
  const iso = JSON.parse(readFileSync('/usr/share/iso-codes/json/iso_3166-2.json', 'utf8'))['3166-2'];
  const kz = new Set(iso.filter((s) => s.code.startsWith('KZ-')).map((s) => s.code));
  for (const c of codes) assert.ok(kz.has(c), `${c} is not a Kazakh ISO 3166-2 code`);
  // The scenario's most affected region is Almaty city (region/KZ-ALA): coloured by severity.
  const almaty = page.locator('svg.map path[data-code="KZ-ALA"]');
  assert.equal(await almaty.count(), 1);
  assert.match(await almaty.getAttribute('class'), /affected/);
  assert.notEqual(await almaty.getAttribute('fill'), '#e6e6e6');
  assert.match(await page.locator('#summary-table').innerText(), /Almaty/);
  await page.screenshot({path: join(artifacts, 'kz-regions.png'), fullPage: true});
  // A reload keeps the region map; clicking Almaty opens its page.
  await page.reload();
  await page.waitForSelector('svg.map path[data-code="KZ-ALA"]');
  // Almaty city is a few pixels wide: it is also drawn as a dot, which is what a user clicks.
  const target = page.locator('svg.map .marker[data-code="KZ-ALA"]');
  assert.equal(await target.count(), 1);
  await target.click();
  await page.waitForSelector('#chart canvas');
  assert.match(page.url(), /entity=region%2FKZ-ALA|entity=region\/KZ-ALA/);
  assert.doesNotMatch(page.url(), /map=/);
  assert.match(await page.locator('h1').innerText(), /Almaty/);
  await page.goBack();
  await page.waitForSelector('svg.map path[data-code="KZ-ALA"]');
  assert.match(page.url(), /[?&]map=KZ(&|$)/);
});

test('drag to zoom narrows the window in the URL and a reload keeps it', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#chart canvas');
  const over = await page.locator('#chart .u-over').boundingBox();
  await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
  await page.mouse.down();
  await page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2, {steps: 5});
  await page.mouse.up();
  await page.waitForFunction(() => !/from=2022/.test(location.search));
  const q = new URL(page.url()).searchParams;
  const from = Number(q.get('from')), until = Number(q.get('until'));
  const w0 = Date.parse('2022-01-03T00:00:00Z') / 1000, w1 = Date.parse('2022-01-13T00:00:00Z') / 1000;
  // About 30% to 50% of the ten days.
  assert.ok(from > w0 + 2 * 86400 && from < w0 + 4 * 86400, `zoomed from ${from}`);
  assert.ok(until > w0 + 4 * 86400 && until < w0 + 6 * 86400 && until < w1, `zoomed until ${until}`);
  await page.reload();
  await page.waitForSelector('#chart canvas');
  assert.equal(new URL(page.url()).searchParams.get('from'), String(from));
  assert.match(await page.locator('#window').innerText(), new RegExp(new Date(from * 1000).toISOString().slice(0, 10)));
});

test('the report button shows the statement and chart for the window, with downloads', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#chart canvas');
  await page.click('#report-btn');
  await page.waitForSelector('#report-text h1');
  assert.match(page.url(), /[?&]view=report(&|$)/);
  assert.match(page.url(), /entity=country%2FKZ|entity=country\/KZ/);
  const text = await page.locator('#report-text').innerText();
  assert.match(text, /Kazakhstan/);
  assert.match(text, /\b[45] January 2022\b/, text.slice(0, 600));
  assert.equal(await page.locator('#report-text script, #report-text img:not(#report-chart)').count(), 0);
  await page.waitForFunction(() => {
    const img = document.getElementById('report-chart');
    return img && img.complete && img.naturalWidth > 0;
  }, null, {timeout: 60000});
  const size = await page.locator('#report-chart').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(size[0] >= 320 && size[1] >= 200, `chart ${size}`);
  const [md] = await Promise.all([page.waitForEvent('download'), page.click('#report-md')]);
  const markdown = readFileSync(await md.path(), 'utf8');
  assert.match(md.suggestedFilename(), /\.md$/);
  assert.match(markdown, /^# .*Kazakhstan/m);
  assert.match(markdown, /January 2022/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#report-png')]);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await page.screenshot({path: join(artifacts, 'kz-report.png'), fullPage: true});
  // The view is in the URL: a reload shows the report again; "Charts" goes back to the chart.
  await page.reload();
  await page.waitForSelector('#report-text h1');
  await page.click('#report-back');
  await page.waitForSelector('#chart canvas');
  assert.doesNotMatch(page.url(), /view=report/);
});

// The band and the % line are the server detector's: the chart's expected value and band edge for
// each bin are the API's expected/lower for that bin, and the legend and caption say so.
test('the KZ chart draws the detector\'s expected values and band from the API', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#chart canvas');
  assert.equal(await page.locator('#chart').getAttribute('data-band'), 'detector');
  assert.match(await page.locator('#chart-note').innerText(), /detector's expected value/);
  const result = await page.evaluate(async () => {
    const chart = document.getElementById('chart').blackoutChart;
    const body = await (await fetch('/api/v2/signals/raw/country/KZ?from=2022-01-03&until=2022-01-13' +
                                    '&maxPoints=4000&expected=true')).json();
    const step = chart.times[1] - chart.times[0];
    const out = {rows: chart.rows.length, checked: 0, mismatches: [], outage: {bins: 0, lowBand: 0, lowValue: 0},
                 legend: [...document.querySelectorAll('#chart .u-legend .u-series[data-band]')]
                     .map((r) => r.dataset.band)};
    chart.rows.forEach((row, j) => {
      const s = body.data[0].find((x) => x.datasource === row.datasource);
      if (!s || !Array.isArray(s.expected)) {
        out.mismatches.push(`${row.datasource}: the API serves no expected values`);
        return;
      }
      if (row.base.source !== 'detector') out.mismatches.push(`${row.datasource}: ${row.base.source}`);
      // Drawn series of row j (normalised view): band high, band low, values, in that order.
      const drawnLow = chart.data[1 + 3 * j + 1], drawnValue = chart.data[1 + 3 * j + 2];
      s.expected.forEach((e, i) => {
        // The first grid bin starting within API bin i holds its values.
        const t = s.from + i * s.step;
        const k = Math.ceil((t - chart.times[0]) / step);
        if (k < 0 || k >= chart.times.length || chart.times[k] >= t + s.step) return;
        out.checked++;
        if (row.base.mid[k] !== e || row.base.lo[k] !== s.lower[i]) {
          if (out.mismatches.length < 5) out.mismatches.push(`${row.datasource} ${t}: ${row.base.mid[k]}/${row.base.lo[k]} vs ${e}/${s.lower[i]}`);
          return;
        }
        if (e && Math.abs(drawnLow[k] - (100 * s.lower[i]) / e) > 1e-9) {
          if (out.mismatches.length < 5) out.mismatches.push(`${row.datasource} ${t}: drawn low ${drawnLow[k]}`);
        }
        // The national outage, 5 Jan 12:00 to 7 Jan: probed /24s far below the band.
        if (row.datasource === 'ping-slash24' && t >= Date.parse('2022-01-05T12:00:00Z') / 1000 &&
            t < Date.parse('2022-01-07T00:00:00Z') / 1000) {
          out.outage.bins++;
          if (drawnLow[k] > 80) out.outage.lowBand++;
          if (drawnValue[k] != null && drawnValue[k] < 30) out.outage.lowValue++;
        }
      });
    });
    return out;
  });
  assert.ok(result.rows >= 2, `${result.rows} signals drawn`);
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.checked > 1000, `${result.checked} bins checked`);
  assert.ok(result.legend.length === result.rows && result.legend.every((b) => b === 'detector'), `legend: ${result.legend}`);
  // During the outage the band stays at the ordinary level (the detector inpaints) while the
  // signal drops out of it.
  assert.ok(result.outage.bins > 100, `${result.outage.bins} outage bins`);
  assert.ok(result.outage.lowBand > result.outage.bins * 0.9, JSON.stringify(result.outage));
  assert.ok(result.outage.lowValue > result.outage.bins * 0.9, JSON.stringify(result.outage));
  await page.locator('#chart').screenshot({path: join(artifacts, 'kz-detector-band.png')});
});

// Where the API gives no expected values (a signal the detector does not judge), the chart falls
// back to its own rolling display baseline for that signal and says so.
test('a signal without the detector\'s values falls back to the display baseline, labelled', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  // Handlers still in flight when the test ends (a request the page dropped, or one the unroute
  // below continues) must neither outlive the test nor reject unhandled: each is awaited before
  // the unroute, and a route already handled elsewhere is left alone.
  const inFlight = new Set();
  await page.route('**/api/v2/signals/raw/**', (route) => {
    const handled = (async () => {
      try {
        const response = await route.fetch();
        const body = await response.json();
        for (const s of body.data?.[0] || []) {
          if (s.datasource === 'traffic') s.expected = s.lower = s.levels = null;
        }
        await route.fulfill({response, json: body});
      } catch (e) {
        if (!/already handled|closed|disposed/i.test(String(e))) throw e;
      }
    })();
    inFlight.add(handled);
    return handled.finally(() => inFlight.delete(handled));
  });
  try {
    await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
    await page.waitForSelector('#chart canvas');
    assert.equal(await page.locator('#chart').getAttribute('data-band'), 'mixed');
    const rows = await page.evaluate(() => document.getElementById('chart').blackoutChart.rows
        .map((r) => ({ds: r.datasource, source: r.base.source, mids: r.base.mid.filter((x) => x != null).length})));
    const traffic = rows.find((r) => r.ds === 'traffic');
    assert.equal(traffic?.source, 'display', JSON.stringify(rows));
    assert.ok(traffic.mids > 100, 'the display baseline is drawn');
    assert.ok(rows.filter((r) => r.ds !== 'traffic').every((r) => r.source === 'detector'), JSON.stringify(rows));
    const legend = await page.locator('#chart .u-legend .u-series[data-band="display"]').innerText();
    assert.match(legend, /display baseline/);
    assert.match(await page.locator('#chart-note').innerText(), /display baseline/);
  } finally {
    await Promise.allSettled([...inFlight]);
    await page.unroute('**/api/v2/signals/raw/**');
  }
});
