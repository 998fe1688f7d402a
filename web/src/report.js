// Report view (`?entity=TYPE/CODE&view=report&from=&until=`): the server's quotable Markdown
// statement for the entity and window (GET /api/v2/reports/{type}/{code}), rendered with the
// project's own safe converter, its PNG chart, and download links for both files.
import {report} from './api.js';
import {markdownToHtml} from './markdown.js';
import {el, fmtTime} from './util.js';

export async function renderReport(app, st, nav) {
  const [type, code] = st.entity.split('/');
  const {from, until, local} = st;
  const back = el('button', {type: 'button', id: 'report-back', onclick: () => nav({view: null})}, '← Charts');
  let data;
  try {
    data = await report(type, code, from, until);
  } catch (e) {
    document.title = `Report: ${st.entity} — blackout`;
    app.replaceChildren(el('section', {class: 'report'},
        el('div', {class: 'toolbar'}, el('h1', {}, `Report: ${st.entity}`), back),
        el('p', {class: 'error', role: 'alert'}, `This server could not make the report: ${e.message}.`),
        el('p', {class: 'muted'}, 'The same report can be written from the command line: ',
           el('code', {}, `blackout report ${type}/${code} --from ${from} --until ${until}`))));
    return;
  }
  const name = data.name || code;
  document.title = `Report: ${name} (${type}/${code}) — blackout`;
  const chart = data.chart
      ? el('figure', {class: 'report-chart'},
           el('img', {id: 'report-chart', src: data.chart, width: 960, height: 400,
                      alt: `Signals for ${name}, ${fmtTime(from)} to ${fmtTime(until)}, disruptions shaded`}),
           el('figcaption', {class: 'muted small'}, 'The chart as the server renders it (the same file as the PNG download).'))
      : null;
  // The statement's own image line (![...](chart.png)) is where the chart goes.
  const [before, ...after] = String(data.markdown || '').split(/^[ \t]*!\[[^\]\n]*\]\([^)\n]*\)[ \t]*$/m);
  // markdownToHtml escapes all source text and writes only its own tags (web/test/markdown.test.mjs).
  const html = (md) => {
    const div = el('div');
    div.innerHTML = markdownToHtml(md);
    return div;
  };
  const text = el('article', {class: 'report-text', id: 'report-text'}, html(before),
                  after.length ? chart : null, after.length ? html(after.join('\n')) : null);
  app.replaceChildren(el('section', {class: 'report'},
      el('div', {class: 'toolbar'},
         el('h1', {}, `Report: ${name} `, el('span', {class: 'ecode'}, `${type}/${code}`)),
         back,
         // The server names the files (blackout-report-TYPE-CODE-YYYYMMDD-YYYYMMDD.md/.png, the
         // Markdown linking the PNG by its name): `download` without a name keeps it.
         data.markdownUrl ? el('a', {class: 'button', id: 'report-md', href: data.markdownUrl, download: true}, 'Markdown (.md)') : null,
         data.chart ? el('a', {class: 'button', id: 'report-png', href: data.chart, download: true}, 'Chart (.png)') : null,
         el('span', {class: 'muted'}, `${fmtTime(from, local)} – ${fmtTime(until, local)}`)),
      text, after.length ? null : chart));
}
