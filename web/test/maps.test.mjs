// Checks of the map data web/build.mjs writes into web/dist (run `node web/build.mjs` first;
// scripts/setup.sh does): the manifest, the build-time gzip copies, d3-geo winding, one shape per
// ISO 3166-2 code, and Kazakhstan's regions. Plain Node; no browser, no server.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gunzipSync} from 'node:zlib';
import {geoArea} from 'd3-geo';
import {feature} from 'topojson-client';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function manifest() {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const m = /window\.BLACKOUT_MAPS = (\{.*?\});<\/script>/s.exec(html);
  assert.ok(m, 'index.html holds no map manifest');
  return JSON.parse(m[1]);
}
const readTopo = (name) => JSON.parse(readFileSync(join(dist, 'assets', name), 'utf8'));
const polygons = (g) => (g?.type === 'Polygon' ? [g.coordinates] : g?.type === 'MultiPolygon' ? g.coordinates : []);
// d3-geo takes a polygon larger than a hemisphere as "everything but this": drawn as the whole map.
const inverted = (f) => polygons(f.geometry).filter((p) => geoArea({type: 'Polygon', coordinates: p}) > 2 * Math.PI).length;

test('the manifest names a world map and region maps, each also as a gzip copy of the same JSON', () => {
  const m = manifest();
  assert.match(m.world, /^world-[0-9a-f]{10}\.json$/);
  assert.match(m.gz.world, /^world-[0-9a-f]{10}\.gz$/);
  assert.deepEqual(JSON.parse(gunzipSync(readFileSync(join(dist, 'assets', m.gz.world)))), readTopo(m.world));
  assert.ok(Object.keys(m.regions).length >= 200, `${Object.keys(m.regions).length} region maps`);
  assert.deepEqual(Object.keys(m.gz.regions).sort(), Object.keys(m.regions).sort());
  assert.deepEqual(JSON.parse(gunzipSync(readFileSync(join(dist, 'assets', m.gz.regions.KZ)))), readTopo(m.regions.KZ));
});

test('the world map has the countries by ISO alpha-2, wound for d3-geo', () => {
  const topo = readTopo(manifest().world);
  const features = feature(topo, topo.objects.countries).features;
  const codes = features.map((f) => f.properties.a2).filter(Boolean);
  assert.ok(codes.length >= 230, `${codes.length} countries with a code`);
  for (const c of ['KZ', 'IQ', 'US', 'SG', 'FJ']) assert.ok(codes.includes(c), `${c} missing`);
  const bad = features.filter((f) => f.properties.a2 !== 'AQ' && inverted(f)).map((f) => f.properties.a2);
  assert.ok(bad.length <= 2, `inverted shapes: ${bad}`);
});

test('every region map: ISO 3166-2 codes (of its country, but for a few territories), one shape per code, wound for d3-geo', () => {
  const m = manifest();
  let total = 0, invertedTotal = 0;
  const foreign = [];
  for (const [cc, name] of Object.entries(m.regions)) {
    const topo = readTopo(name);
    const features = feature(topo, topo.objects.regions).features;
    const codes = features.map((f) => f.properties.code);
    total += codes.length;
    assert.equal(new Set(codes).size, codes.length, `${cc}: duplicate codes`);
    for (const c of codes) {
      assert.match(c, /^[A-Z]{2}-[A-Z0-9]{1,3}$/, `${cc}: bad code ${c}`);
      // Natural Earth files a few territories under their own alpha-2 with the parent's
      // subdivision code (Sint Maarten: SX, NL-SX).
      if (!c.startsWith(`${cc}-`)) foreign.push(`${cc}:${c}`);
    }
    // The browser rewinds what simplification turns over; the build must leave almost nothing.
    invertedTotal += features.reduce((n, f) => n + inverted(f), 0);
  }
  assert.ok(total >= 4000, `${total} regions in all`);
  assert.ok(foreign.length <= 10, `codes of another country: ${foreign}`);
  assert.ok(invertedTotal <= 5, `${invertedTotal} inverted region polygons`);
});

test('Kazakhstan: Almaty city is KZ-ALA, the Almaty region around it KZ-ALM', () => {
  const topo = readTopo(manifest().regions.KZ);
  const byCode = new Map(feature(topo, topo.objects.regions).features.map((f) => [f.properties.code, f]));
  assert.ok(byCode.has('KZ-ALA') && byCode.has('KZ-ALM') && byCode.has('KZ-AST'));
  // The city is tiny; the region is one of the large ones.
  assert.ok(geoArea(byCode.get('KZ-ALA')) * 10 < geoArea(byCode.get('KZ-ALM')));
});
