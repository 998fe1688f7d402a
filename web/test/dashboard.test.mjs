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
const win = 'from=2022-01-03&until=2022-01-13';

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
  // A search that finds nothing says so.
  await page.fill('#search', 'qqzzxx');
  await page.waitForSelector('#search-results li.no-results');
  assert.match(await page.locator('#search-results').innerText(), /No results for “qqzzxx”/);
  assert.equal(await page.locator('#search-results').isVisible(), true);
  await page.fill('#search', '');
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
  // Simulated data: the file's name and first line say so (metadata.provenance).
  assert.match(csv.suggestedFilename(), /^SIMULATION-blackout-country-KZ-\d{8}-\d{8}\.csv$/);
  const all = text.trim().split('\n');
  assert.match(all[0], /^# SIMULATION/);
  const lines = all.slice(1);
  assert.match(lines[0], /^timestamp,time_utc,/);
  assert.ok(lines.length > 100, `${lines.length} CSV lines`);
  const cols = lines[0].split(',').length;
  for (const l of lines.slice(1)) assert.equal(l.split(',').length, cols);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#dl-png')]);
  assert.match(png.suggestedFilename(), /^SIMULATION-blackout-country-KZ-\d{8}-\d{8}\.png$/);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 2000);
});

// No page scrolls sideways, on a phone or a wide screen: the entity pages (panels, headlines,
// events table, related cards), the overview, the region map and the report.
test('no horizontal overflow at 390 px and 1400 px', async () => {
  const pages = [
    ['kz', `/?entity=country/KZ&${win}`, '#related .mini canvas'],
    ['almaty', `/?entity=region/KZ-ALA&${win}`, '#related .mini canvas'],
    ['as9198', `/?entity=asn/9198&${win}`, '#related .mini canvas'],
    ['overview', `/?${win}`, 'svg.map path.shape'],
    ['kz-regions', `/?map=KZ&${win}`, '#coverage[data-total]'],
    ['report', `/?entity=country/KZ&view=report&${win}`, '#report-text h1'],
  ];
  for (const width of [390, 1400]) {
    await page.setViewportSize({width, height: 900});
    for (const [name, url, ready] of pages) {
      await page.goto(`${base}${url}`);
      await page.waitForSelector(ready);
      await page.waitForTimeout(200);
      const [scroll, client] = await page.evaluate(() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]);
      assert.ok(scroll <= client, `${name} at ${width} px: scrollWidth ${scroll} > clientWidth ${client}`);
      if (name === 'kz' || name === 'almaty') {
        // Each related card's chart fits its card.
        const over = await page.locator('#related .mini').evaluateAll((cards) => cards
            .filter((c) => c.querySelector('canvas') && c.querySelector('.uplot').getBoundingClientRect().right > c.getBoundingClientRect().right + 0.5)
            .map((c) => c.dataset.entity));
        assert.deepEqual(over, [], `${name} at ${width} px: charts wider than their cards`);
      }
      if (width === 390 && ['kz', 'overview', 'report'].includes(name)) {
        await page.screenshot({path: join(artifacts, `${name}-phone.png`), fullPage: true});
      }
    }
  }
  await page.setViewportSize({width: 1280, height: 900});
});

test('the events table shows each event\'s phases with times, and its technique', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-03&until=2022-01-13`);
  await page.waitForSelector('#events-table');
  const events = await page.evaluate(async () => (await (await fetch(
      '/api/v2/outages/events?entityType=country&entityCode=KZ&from=2022-01-03&until=2022-01-13')).json()).data
      // Application blocking (OONI) has its own table (the test below).
      .filter((e) => !e.applications?.length));
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
    // Application blocking that preceded the outage (API: precededBy) reads first.
    const first = e.precededBy?.length ? 'app blocking, then ' : '';
    if (e.technique) assert.equal(techCell, first + e.technique.replace(/-/g, ' '));
  }
  // The nation-wide event of 5 January is filtering, and its first phase starts that day.
  const main = withPhases.find((e) => e.start <= Date.parse('2022-01-05T12:00:00Z') / 1000 &&
                                      e.start + e.duration > Date.parse('2022-01-07T00:00:00Z') / 1000);
  assert.ok(main, 'no event with phases spans 5-7 January');
  const vocabulary = ['reduced-connectivity', 'near-total-blackout', 'partial-recovery', 'total-recovery'];
  for (const p of main.phases) assert.ok(vocabulary.includes(p.phase), `unknown phase ${p.phase}`);
  // OONI found the messaging apps blocked from 2 January: the shutdown's technique says so first.
  assert.match(main.techniqueSequence, /^app-blocking, then /);
  assert.ok(main.precededBy.length >= 1);
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
  const over = await page.locator('#chart .u-over').first().boundingBox();
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
                 legend: [...document.querySelectorAll('#chart .panel[data-band]')].map((r) => r.dataset.band)};
    chart.rows.forEach((row, j) => {
      const s = body.data[0].find((x) => x.datasource === row.datasource);
      if (!s || !Array.isArray(s.expected)) {
        out.mismatches.push(`${row.datasource}: the API serves no expected values`);
        return;
      }
      if (row.base.source !== 'detector') out.mismatches.push(`${row.datasource}: ${row.base.source}`);
      // Drawn series of row j's panel (normalised view): times, band high, band low, values.
      const panel = chart.panels[j];
      if (panel.datasource !== row.datasource) out.mismatches.push(`panel ${j} is ${panel.datasource}, row ${row.datasource}`);
      const drawnLow = panel.data[2], drawnValue = panel.data[3];
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
    const legend = await page.locator('#chart .panel[data-band="display"] .panel-head').innerText();
    assert.match(legend, /display baseline/);
    assert.match(await page.locator('#chart-note').innerText(), /display baseline/);
  } finally {
    await Promise.allSettled([...inFlight]);
    await page.unroute('**/api/v2/signals/raw/**');
  }
});

// Issue 17: a live source's current bin is provisional, and the chart says so (a tinted, dashed
// bin, the key, and the hover text); the API carries it as provisionalFrom.
test('a live feed\'s provisional bin is marked on the chart and in the key', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  const inFlight = new Set();
  const marked = [];  // the page may ask more than once (other windows, steps)
  await page.route('**/api/v2/signals/raw/**', (route) => {
    const handled = (async () => {
      try {
        const response = await route.fetch();
        const body = await response.json();
        for (const s of body.data?.[0] || []) {
          assert.ok('provisionalFrom' in s && 'liveGapBin' in s, 'the API states the live marks');
          if (s.datasource === 'bgp' && s.values?.length) {
            s.provisionalFrom = s.from + (s.values.length - 1) * s.step;
            marked.push(s.provisionalFrom);
          }
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
    assert.ok(marked.length, 'a bgp series was answered');
    const rows = await page.evaluate(() => document.getElementById('chart').blackoutChart.rows
        .map((r) => ({ds: r.datasource, provisional: r.provisional})));
    assert.ok(marked.includes(rows.find((r) => r.ds === 'bgp')?.provisional),
              `${JSON.stringify(rows)} vs ${JSON.stringify(marked)}`);
    assert.ok(rows.filter((r) => r.ds !== 'bgp').every((r) => r.provisional == null), JSON.stringify(rows));
    assert.match(await page.locator('#chart-key').innerText(), /provisional/);
  } finally {
    await Promise.allSettled([...inFlight]);
    await page.unroute('**/api/v2/signals/raw/**');
  }
});

const apiData = async (path) => page.evaluate(async (p) => (await (await fetch(p)).json()), path);

// Issue 19: the entity page has a row per application OONI found blocked, with OONI's attribution
// and licence, apart from the connectivity events (the simulated scenario's OONI measurements find
// the messaging apps blocked on 2-4 January 2022, before the cut).
test('the KZ page lists each app OONI found blocked, apart from connectivity, with OONI credited', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&from=2022-01-01&until=2022-01-13`);
  await page.waitForSelector('#apps-table');
  const apps = await page.locator('#apps-table tr.app-row').evaluateAll((rows) => rows.map((r) => r.dataset.app));
  for (const app of ['telegram', 'signal', 'whatsapp']) assert.ok(apps.includes(app), JSON.stringify(apps));
  const first = await page.locator('#apps-table tr.app-row').first().innerText();
  assert.match(first, /January 2022|2022-01-0[1-5]/);
  assert.match(first, /of \d+ blocked/);
  assert.match(await page.locator('#apps-attribution').innerText(), /OONI.*CC BY-NC-SA 4\.0/);
  // Application blocking is not a connectivity event: none in the connectivity table.
  const techniques = await page.locator('#events-table tbody tr').allInnerTexts();
  assert.ok(techniques.length >= 1);
  const api = await apiData('/api/v2/outages/events?entityType=country&entityCode=KZ&from=2022-01-01&until=2022-01-13');
  const appEvents = api.data.filter((e) => e.applications?.length);
  assert.ok(appEvents.length >= 1, 'the API names the applications of an app-blocking event');
  assert.equal(techniques.length, api.data.length - appEvents.length);
});


// Issue 16: each event is shown with the API's quotable headline, and its times in UTC and in the
// entity's local time as of the event's date (Intl.DateTimeFormat with the API's timeZone),
// labelled: January 2022 in Almaty was UTC+6.
test('each event shows its headline and its times in UTC and Almaty time', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=region/KZ-ALA&${win}`);
  await page.waitForSelector('#headlines');
  const events = (await apiData(`/api/v2/outages/events?entityType=region&entityCode=KZ-ALA&${win}`)).data;
  assert.ok(events.length >= 1);
  const items = page.locator('#headlines li.headline blockquote');
  assert.equal(await items.count(), events.length);
  const rows = page.locator('#events-table tbody tr');
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    assert.equal(e.timeZone, 'Asia/Almaty');
    assert.ok(e.headline && e.depthText && e.durationText, JSON.stringify(e).slice(0, 300));
    assert.equal((await items.nth(i).innerText()).trim(), e.headline);
    // The start in UTC, and in Almaty time labelled with the zone's offset on that date.
    const d = new Date(e.start * 1000);
    const utc = d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
    const almaty = new Date((e.start + 6 * 3600) * 1000);  // what the browser's tz database must give
    const local = `${almaty.toISOString().slice(11, 16)} Almaty time (UTC+6)`;
    const start = await rows.nth(i).locator('td').nth(0).innerText();
    assert.ok(start.includes(utc), `start cell: ${start}`);
    assert.ok(start.includes(local), `start cell: ${start} (wanted ${local})`);
    assert.ok((await page.locator('#headlines li').nth(i).innerText()).includes(local));
    // One wording: the table's duration and depth are the API's (the report's and the feeds').
    assert.equal((await rows.nth(i).locator('td').nth(2).innerText()).trim(), e.durationText);
    assert.equal((await rows.nth(i).locator('td').nth(3).innerText()).trim(), e.depthText);
  }
  // The first event of the scenario: 4 January 2022 14:30 UTC = 20:30 in Almaty.
  assert.match(await page.locator('#events-table').innerText(), /2022-01-04 14:30 UTC\s+20:30 Almaty time \(UTC\+6\)/);
  // "local time" shows the entity's zone, labelled, with UTC beside it.
  await page.check('#tz-local');
  await page.waitForFunction(() => /tz=local/.test(location.search));
  await page.waitForFunction(() => /Almaty time \(UTC\+6\)\s+14:30 UTC/.test(document.getElementById('events-table')?.innerText || ''));
  assert.match(await page.locator('#window').innerText(), /Almaty time \(UTC\+6\)/);
  await page.uncheck('#tz-local');
  await page.waitForFunction(() => !/tz=local/.test(location.search));
});

// One panel per signal, the event's carrying signal (probing, which fell furthest) on top, each
// with its units; the y axis fits the data; event shading in a colour no signal uses.
test('the chart draws one panel per signal, the carrying signal on top', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=country/KZ&${win}`);
  await page.waitForSelector('#chart .panel canvas');
  const panels = await page.locator('#chart .panel').evaluateAll((ps) => ps.map((p) => ({
    ds: p.dataset.datasource, canvases: p.querySelectorAll('canvas').length, head: p.querySelector('.panel-head').innerText})));
  const signals = (await apiData(`/api/v2/signals/raw/country/KZ?${win}&maxPoints=10`)).data[0]
      .filter((s) => ['bgp', 'ping-slash24', 'merit-nt', 'traffic'].includes(s.datasource) && s.values.length);
  assert.equal(panels.length, signals.length, JSON.stringify(panels));
  assert.deepEqual(new Set(panels.map((p) => p.ds)), new Set(signals.map((s) => s.datasource)));
  assert.ok(panels.every((p) => p.canvases === 1));
  assert.equal(panels[0].ds, 'ping-slash24', `top panel: ${panels[0].ds}`);
  // As the report names it: of the signals the event names (traffic, probing), probing on top,
  // on Almaty's page too, where traffic falls as far.
  for (const p of panels) assert.match(p.head, /% of (the detector's expected level|the display baseline)/, p.head);
  const {tops, shade} = await page.evaluate(() => {
    const c = document.getElementById('chart').blackoutChart;
    return {tops: c.panels.map((p) => p.top), shade: getComputedStyle(document.querySelector('#chart-key .key-box')).backgroundColor};
  });
  // Probing and BGP stay near 100%: their axes end well below the old 300%.
  assert.ok(tops[0] <= 160, `probing axis to ${tops[0]}%`);
  // The event shading is amber: no signal is drawn in it.
  assert.match(shade, /rgba\(255, 176, 0/);
  for (const c of ['#1f77b4', '#d62728', '#2ca02c', '#9467bd']) assert.doesNotMatch(shade, new RegExp(c));
  await page.goto(`${base}/?entity=region/KZ-ALA&${win}`);
  await page.waitForSelector('#chart .panel canvas');
  assert.equal(await page.locator('#chart .panel').first().getAttribute('data-datasource'), 'ping-slash24');
  // In absolute values each panel states its units.
  await page.goto(`${base}/?entity=country/KZ&${win}&norm=0`);
  await page.waitForSelector('#chart .panel canvas');
  const heads = await page.locator('#chart .panel .panel-head').allInnerTexts();
  assert.ok(heads.some((h) => /Up \/24s/.test(h)), heads.join(' | '));
  assert.ok(heads.some((h) => /Unique clients/.test(h)), heads.join(' | '));
  await page.locator('#chart').screenshot({path: join(artifacts, 'kz-panels.png')});
});

// Bins without measurements (values null, or the detector's level 0) are drawn as a distinct
// no-data band, never as normal; a window without any data says so and claims no "no disruption".
test('no data is drawn as a no-data band, and never called "no disruption"', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  const gapFrom = Date.parse('2022-01-08T00:00:00Z') / 1000, gapUntil = Date.parse('2022-01-08T12:00:00Z') / 1000;
  const inFlight = new Set();
  await page.route('**/api/v2/signals/raw/country/KZ?**', (route) => {
    const handled = (async () => {
      try {
        const response = await route.fetch();
        const body = await response.json();
        for (const s of body.data?.[0] || []) {
          if (s.datasource !== 'bgp') continue;
          s.values.forEach((_, i) => {
            const t = s.from + i * s.step;
            if (t >= gapFrom && t < gapUntil) {
              // The first half loses its values, the second keeps them with level 0.
              if (t < (gapFrom + gapUntil) / 2) s.values[i] = null;
              if (Array.isArray(s.levels)) s.levels[i] = 0;
            }
          });
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
    await page.goto(`${base}/?entity=country/KZ&${win}`);
    await page.waitForSelector('#chart .panel canvas');
    const r = await page.evaluate(([a, b]) => {
      const c = document.getElementById('chart').blackoutChart;
      const row = c.rows.find((x) => x.datasource === 'bgp');
      const inGap = c.times.map((t, k) => [t, k]).filter(([t]) => t >= a && t < b);
      const outside = c.times.map((t, k) => [t, k]).filter(([t]) => t < a || t >= b);
      return {gapBins: inGap.length, gapNoData: inGap.filter(([, k]) => row.noData[k]).length,
              outsideNoData: outside.filter(([, k]) => row.noData[k]).length,
              key: document.getElementById('chart-key').innerText};
    }, [gapFrom, gapUntil]);
    assert.ok(r.gapBins >= 100, JSON.stringify(r));
    assert.equal(r.gapNoData, r.gapBins, 'every bin without data is marked no data');
    assert.equal(r.outsideNoData, 0, 'measured bins are not marked no data');
    assert.match(r.key, /no data \(nothing measured\)/);
    assert.match(await page.locator('#chart-note').innerText(), /hatched grey: no data/);
    // The band is drawn: sample the bgp panel's canvas in the middle of the gap.
    const px = await page.evaluate((t) => {
      const panel = document.querySelector('#chart .panel[data-datasource="bgp"]');
      const canvas = panel.querySelector('canvas');
      const over = panel.querySelector('.u-over').getBoundingClientRect();
      const box = canvas.getBoundingClientRect();
      const c = document.getElementById('chart').blackoutChart;
      const x0 = (t - c.times[0]) / (c.times[c.times.length - 1] - c.times[0]);
      const ratio = canvas.width / box.width;
      const g = canvas.getContext('2d');
      const seen = new Set();
      for (let dx = -6; dx <= 6; dx++) {
        for (let y = 0.1; y < 0.9; y += 0.05) {
          const d = g.getImageData(Math.round((over.left - box.left + x0 * over.width + dx) * ratio),
                                   Math.round((over.top - box.top + y * over.height) * ratio), 1, 1).data;
          seen.add(`${d[0]},${d[1]},${d[2]}`);
        }
      }
      return [...seen];
    }, gapFrom + 3 * 3600);
    assert.ok(px.some((c) => {
      const [r, g, b] = c.split(',').map(Number);
      return Math.abs(r - g) < 12 && Math.abs(g - b) < 12 && r < 235 && r > 60;  // grey hatching
    }), `no grey hatching in the gap: ${px.join(' ')}`);
    await page.locator('#chart .panel[data-datasource="bgp"]').screenshot({path: join(artifacts, 'kz-no-data-band.png')});
  } finally {
    await Promise.allSettled([...inFlight]);
    await page.unroute('**/api/v2/signals/raw/country/KZ?**');
  }
  // A window with no measurements at all.
  await page.goto(`${base}/?entity=country/KZ&from=2023-01-02&until=2023-01-09`);
  await page.waitForSelector('#no-measurements');
  const text = await page.locator('#app').innerText();
  assert.match(text, /No measurements of Kazakhstan/);
  assert.doesNotMatch(text, /No disruption/i);
  // The region map counts what was measured and hatches the rest.
  await page.goto(`${base}/?map=KZ&from=2023-01-02&until=2023-01-09`);
  await page.waitForSelector('#coverage[data-total]');
  const total = Number(await page.locator('#coverage').getAttribute('data-total'));
  assert.ok(total >= 14, `${total} regions`);
  assert.equal(await page.locator('#coverage').innerText(), `0 of ${total} regions measured in this window; the others (hatched) have no data, which is not the same as no disruption.`);
  assert.equal(await page.locator('svg.map path.shape.nodata').count(), total);
  await page.goto(`${base}/?map=KZ&${win}`);
  await page.waitForSelector('#coverage[data-total]');
  const measured = Number(await page.locator('#coverage').getAttribute('data-measured'));
  assert.match(await page.locator('#coverage').innerText(), new RegExp(`^${measured} of \\d+ regions measured`));
  assert.ok(measured >= 2, `${measured} regions measured`);
  assert.equal(await page.locator('svg.map path.shape.nodata').count(), Number(await page.locator('#coverage').getAttribute('data-total')) - measured);
  assert.equal(await page.locator('svg.map path[data-code="KZ-ALA"].nodata').count(), 0);
  // The world map too: an unmeasured country is hatched as no data, never "no disruption".
  await page.goto(`${base}/?${win}`);
  await page.waitForSelector('#coverage[data-total]');
  const countries = Number(await page.locator('#coverage').getAttribute('data-measured'));
  assert.ok(countries >= 1, `${countries} countries measured`);
  assert.match(await page.locator('#coverage').innerText(), new RegExp(`^${countries} of \\d+ countries measured`));
  assert.equal(await page.locator('svg.map path[data-code="KZ"].nodata').count(), 0);
  assert.ok(await page.locator('svg.map path.shape.nodata').count() > 100);
  assert.doesNotMatch(await page.locator('#map-legend').innerText(), /not measured/);
});

// Navigation: a network links its country and regions, a region its country and networks; each
// view has its own title; the favicon is served.
test('an ASN page links to its country and regions, a region to its networks', async () => {
  await page.setViewportSize({width: 1280, height: 900});
  await page.goto(`${base}/?entity=asn/9198&${win}`);
  await page.waitForSelector('#entity-links #parent-country');
  assert.equal(await page.title(), 'JSC Kazakhtelecom (asn/9198) — blackout');
  const regions = await page.locator('#entity-regions a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const info = (await apiData('/api/v2/entities/query?entityType=asn&entityCode=9198')).data[0];
  assert.deepEqual(regions.sort(), info.related.filter((r) => r.startsWith('region/')).map((r) => `?entity=${r}`).sort());
  // Its affected regions are charted too.
  await page.waitForSelector('#related .mini[data-entity="region/KZ-ALA"]');
  await page.click('#parent-country');
  await page.waitForFunction(() => /entity=country%2FKZ|entity=country\/KZ/.test(location.search));
  // The country page replaces the ASN's: wait for its heading, not for any chart (the ASN's may
  // still be on the page for a moment).
  await page.waitForFunction(() => /Kazakhstan/.test(document.querySelector('h1')?.textContent || ''));
  await page.waitForSelector('#chart .panel canvas');
  assert.match(await page.locator('h1').innerText(), /Kazakhstan/);
  assert.equal(await page.title(), 'Kazakhstan (country/KZ) — blackout');
  await page.goto(`${base}/?entity=region/KZ-ALA&${win}`);
  await page.waitForSelector('#entity-networks a');
  assert.match(await page.locator('#entity-networks').innerText(), /AS9198/);
  assert.doesNotMatch(await page.locator('#entity-links').innerText(), /null|undefined/);
  assert.equal(await page.locator('#parent-country').getAttribute('href'), '?entity=country/KZ');
  await page.goto(`${base}/?entity=country/KZ&view=report&${win}`);
  await page.waitForSelector('#report-text h1');
  assert.match(await page.title(), /^Report: Kazakhstan/);
  await page.goto(`${base}/?${win}`);
  await page.waitForSelector('svg.map path.shape');
  assert.match(await page.title(), /^World: disruptions/);
  for (const path of ['/favicon.ico', '/favicon.svg']) {
    const r = await fetch(`${base}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), /^image\//);
    const bytes = Buffer.from(await r.arrayBuffer());
    if (path.endsWith('.ico')) assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 1, 0]);
  }
});

// Issue 22: curated outage lists' records (as /api/v2/annotations answers them once a list is
// imported) are listed beside the detected events, whole days as days, and drawn on the chart as
// violet strips along the panels' bottom.
// Pixels of the curated strips' edge colour (CURATED_EDGE, #5b2d91) in the first panel.
function stripPixels() {
  const c = document.querySelector('#chart .panel canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - 0x5b) + Math.abs(d[i + 1] - 0x2d) + Math.abs(d[i + 2] - 0x91) < 30) n++;
  }
  return n;
}

test('curated records are listed beside the events and drawn on the chart', async () => {
  const kio = {entityType: 'country', entityCode: 'KZ', from: 1641254400, until: 1641945600,
               source: 'keepiton', id: 'abc123', kind: 'shutdown and throttling', cause: 'Protests',
               area: 'Nationwide', link: 'https://www.accessnow.org/kazakhstan-internet-shutdowns-protests-almaty-timeline-whats-happening/',
               wholeDays: true, openEnd: false,
               text: "Access Now's #KeepItOn list records a shutdown and throttling in Kazakhstan from 4 to 11 January 2022 (cause: Protests)."};
  const note = {entityType: 'country', entityCode: 'KZ', from: 1641300000, until: 1641310000, text: 'a user note'};
  let asked = '';
  await page.route('**/api/v2/annotations**', async (route) => {
    asked = route.request().url();
    await route.fulfill({json: {type: 'annotations', data: [note, kio], error: null}});
  });
  try {
    // Without curated records: no table (and the chart strip code draws nothing).
    await page.goto(`${base}/?entity=country/KZ&${win}`);
    await page.waitForSelector('#curated-table');
    assert.match(asked, /entity=country%2FKZ/);
    const rows = page.locator('#curated-table tbody tr');
    assert.equal(await rows.count(), 1);  // the user's note is not a curated record
    const text = await rows.first().innerText();
    assert.match(text, /Access Now's #KeepItOn/);
    assert.match(text, /4 January 2022 – 11 January 2022/);
    assert.doesNotMatch(text, /\d\d:\d\d/);  // whole days carry no times
    assert.match(text, /Protests/);
    assert.equal(await rows.first().locator('a').getAttribute('href'), kio.link);
    // The chart draws the strip: violet pixels along the first panel's bottom inside the record.
    await page.waitForSelector('#chart .panel canvas');
    const violet = await page.evaluate(stripPixels);
    assert.ok(violet > 50, `strip-edge pixels: ${violet}`);
    await page.locator('#curated').screenshot({path: join(artifacts, 'kz-curated.png')});
  } finally {
    await page.unroute('**/api/v2/annotations**');
  }
  // The real API (nothing imported in this data directory): no curated section.
  await page.goto(`${base}/?entity=country/KZ&${win}`);
  await page.waitForSelector('#events-table');
  assert.equal(await page.locator('#curated-table').count(), 0);
  await page.waitForSelector('#chart .panel canvas');
  assert.ok(await page.evaluate(stripPixels) < 5);
});

// The SIMULATION banner is the provenance's own notice, and the footer lists the sources the
// API's metadata.provenance names.
test('the banner and the footer come from metadata.provenance', async () => {
  await page.goto(`${base}/?entity=country/KZ&${win}`);
  await page.waitForSelector('#chart .panel canvas');
  const prov = (await apiData('/api/v2/meta')).metadata.provenance;
  assert.equal(prov.simulation, true);
  assert.match(prov.notice, /SIMULATION/);
  await page.waitForFunction(() => !document.getElementById('notice').hidden);
  assert.equal(await page.locator('#notice').innerText(), prov.notice);
  assert.equal(await page.locator('#sources').innerText(), prov.sources);
  assert.match(await page.locator('#sources').innerText(), /simulated route collectors/);
});

// Issue 20: with the geo datasets (as `blackout run` has them by default), IODA's entity attrs carry
// the address count IODA's dashboard shows, as a string of digits, and fqids it can split.
test('IODA entity attrs carry ip_count and fqid with geo data', async () => {
  const kz = (await apiData('/ioda/v2/entities/query?entityType=country&entityCode=KZ')).data;
  assert.equal(kz.length, 1);
  assert.match(kz[0].attrs.ip_count, /^[1-9]\d{5,}$/);  // Kazakhstan has millions of addresses
  assert.equal(kz[0].attrs.fqid.split('.')[3], 'KZ');
  const regions = (await apiData('/ioda/v2/entities/query?entityType=region&relatedTo=country/KZ')).data;
  assert.ok(regions.length >= 1);
  for (const r of regions) {
    assert.match(r.code, /^\d+$/);  // numeric codes in IODA mode
    assert.equal(r.attrs.fqid.split('.')[3], 'KZ');
    assert.equal(r.attrs.country_code, 'KZ');
  }
});
