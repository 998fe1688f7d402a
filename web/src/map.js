// Choropleth maps with d3-geo + topojson-client: the world (countries by ISO alpha-2) or one
// country's admin-1 regions (ISO 3166-2). Colours come from outage scores; shapes are links.
import {geoNaturalEarth1, geoMercator, geoPath} from 'd3-geo';
import {feature} from 'topojson-client';
import {severityColor} from './util.js';

const cache = new Map();
async function loadJson(name) {
  if (!cache.has(name)) cache.set(name, fetch(`/assets/${name}`).then((r) => r.json()));
  return cache.get(name);
}

const SVG = 'http://www.w3.org/2000/svg';

// scores: Map(code -> score); onPick(code, name). Returns the SVG element.
export async function drawMap(container, {country = null, scores, names = new Map(), onPick}) {
  const manifest = window.BLACKOUT_MAPS || {};
  let features;
  if (country) {
    const file = manifest.regions?.[country];
    if (!file) throw new Error(`no region map for ${country}`);
    const topo = await loadJson(file);
    features = feature(topo, topo.objects.regions).features.map((f) => ({
      f, code: f.properties.code, name: names.get(f.properties.code) || f.properties.name}));
  } else {
    const topo = await loadJson(manifest.world);
    features = feature(topo, topo.objects.countries).features
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
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', country ? `Regions of ${country} coloured by outage score`
                                         : 'World map coloured by outage score');
  for (const {f, code, name} of features) {
    const d = path(f);
    if (!d) continue;
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    const score = code ? scores.get(code) || 0 : 0;
    p.setAttribute('fill', severityColor(score, max));
    p.setAttribute('class', 'shape' + (score ? ' affected' : ''));
    if (code) p.dataset.code = code;
    const t = document.createElementNS(SVG, 'title');
    t.textContent = `${name || code || '?'}${score ? ` — score ${Math.round(score)}` : ''}`;
    p.append(t);
    if (code && onPick) p.addEventListener('click', () => onPick(code, name));
    svg.append(p);
  }
  container.replaceChildren(svg);
  return svg;
}
