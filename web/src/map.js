// Choropleth maps with d3-geo + topojson-client: the world (countries by ISO alpha-2) or one
// country's admin-1 regions (ISO 3166-2). Colours come from outage scores; shapes are links.
import {geoArea, geoMercator, geoNaturalEarth1, geoPath} from 'd3-geo';
import {feature} from 'topojson-client';
import {severityColor} from './util.js';

const cache = new Map();
const canInflate = typeof DecompressionStream === 'function';

async function fetchJson(name) {
  const r = await fetch(`/assets/${name}`);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  if (!name.endsWith('.gz')) return r.json();
  return new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).json();
}

function loadJson(name) {
  if (!cache.has(name)) {
    const p = fetchJson(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));  // a failed download is retried next time
  }
  return cache.get(name);
}

// The map file to load: the build's gzipped copy where the browser can inflate it (web/build.mjs
// says why), else the plain JSON.
function mapFile(country) {
  const m = window.BLACKOUT_MAPS || {};
  const gz = canInflate ? (country ? m.gz?.regions?.[country] : m.gz?.world) : null;
  return gz || (country ? m.regions?.[country] : m.world);
}

// d3-geo reads polygons on the sphere, where a ring's winding says which side is inside. Some
// small shapes (city regions such as Almaty and Astana, after simplification) come out wound the
// other way and would be drawn as the whole globe minus the city, covering every other shape. A
// polygon larger than a hemisphere is such a case: its rings are reversed.
const HEMISPHERE = 2 * Math.PI;
function rewindPolygon(rings) {
  return geoArea({type: 'Polygon', coordinates: rings}) > HEMISPHERE ? rings.map((r) => [...r].reverse()) : rings;
}
export function rewind(f) {
  const g = f.geometry;
  if (!g) return f;
  if (g.type === 'Polygon') return {...f, geometry: {...g, coordinates: rewindPolygon(g.coordinates)}};
  if (g.type === 'MultiPolygon') return {...f, geometry: {...g, coordinates: g.coordinates.map(rewindPolygon)}};
  return f;
}

// Starts loading a map's TopoJSON (the world, or a country's regions) without waiting, so it
// downloads while the scores are fetched.
export function preloadMap(country = null) {
  const file = mapFile(country);
  if (file) loadJson(file).catch(() => {});
}

const SVG = 'http://www.w3.org/2000/svg';
// Shapes smaller than this (square units of the 960-wide view box) get a marker when affected.
const kTinyArea = 40;

// scores: Map(code -> score); measured: null (not known: grey means "nothing detected") or a Set of
// the codes that have measurements in the window, the others drawn hatched as "no data";
// onPick(code, name). Returns the SVG element and the codes drawn.
export async function drawMap(container, {country = null, countryLabel = country, scores, names = new Map(),
                                          measured = null, onPick}) {
  let features;
  if (country) {
    const file = mapFile(country);
    if (!file) throw new Error(`no region map for ${country}`);
    const topo = await loadJson(file);
    features = feature(topo, topo.objects.regions).features.map(rewind).map((f) => ({
      f, code: f.properties.code, name: names.get(f.properties.code) || f.properties.name}));
  } else {
    const topo = await loadJson(mapFile(null));
    features = feature(topo, topo.objects.countries).features.map(rewind)
                   .filter((f) => f.properties.a2 !== 'AQ')
                   .map((f) => ({f, code: f.properties.a2, name: names.get(f.properties.a2) || f.properties.name}));
  }
  const width = 960, height = country ? 600 : 500;
  const fc = {type: 'FeatureCollection', features: features.map((x) => x.f)};
  const projection = (country ? geoMercator() : geoNaturalEarth1()).fitSize([width, height], fc);
  const path = geoPath(projection);
  const max = Math.max(0, ...scores.values());
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'map');
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', country ? `Regions of ${countryLabel} coloured by outage score`
                                         : 'World map coloured by outage score');
  // Hatching for places without measurements: distinct from the grey of "measured, nothing
  // detected".
  const defs = document.createElementNS(SVG, 'defs');
  defs.innerHTML = '<pattern id="nodata-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#fafafa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/></pattern>';
  svg.append(defs);
  const markers = [];
  const decorate = (node, code, name, score) => {
    const noData = !score && measured && code && !measured.has(code);
    node.setAttribute('fill', noData ? 'url(#nodata-hatch)' : severityColor(score, max));
    if (noData) node.classList.add('nodata');
    if (code) node.dataset.code = code;
    const t = document.createElementNS(SVG, 'title');
    t.textContent = `${name || code || '?'}${score ? ` — score ${Math.round(score)}` : noData ? ' — no data'
        : measured ? ' — measured, no disruption detected' : ''}`;
    node.append(t);
    if (code && onPick) {
      node.addEventListener('click', () => onPick(code, name));
      // Affected places are also reachable from the keyboard (the table beside the map lists
      // them too); the grey rest stays out of the tab order.
      if (score) {
        node.setAttribute('tabindex', '0');
        node.setAttribute('role', 'link');
        node.setAttribute('aria-label', t.textContent);
        node.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onPick(code, name);
          }
        });
      }
    }
  };
  for (const {f, code, name} of features) {
    const d = path(f);
    if (!d) continue;
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    const score = code ? scores.get(code) || 0 : 0;
    p.setAttribute('class', 'shape' + (score ? ' affected' : ''));
    decorate(p, code, name, score);
    svg.append(p);
    // An affected place too small to see or click (a city region, a small island state) also gets
    // a dot, drawn above every shape.
    if (score && path.area(f) < kTinyArea) {
      const [x, y] = path.centroid(f);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const c = document.createElementNS(SVG, 'circle');
      c.setAttribute('cx', x.toFixed(1));
      c.setAttribute('cy', y.toFixed(1));
      c.setAttribute('r', '5');
      c.setAttribute('class', 'marker affected');
      decorate(c, code, name, score);
      markers.push(c);
    }
  }
  svg.append(...markers);
  container.replaceChildren(svg);
  return {svg, codes: features.map((x) => x.code).filter(Boolean)};
}
