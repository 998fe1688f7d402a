// Unit tests of the report view's Markdown converter (web/src/markdown.js): the subset the
// reports use, and that no input can inject markup. Runs under plain Node (no browser, no server).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {escapeHtml, inline, markdownToHtml} from '../src/markdown.js';

test('headings, paragraphs and rules', () => {
  const html = markdownToHtml('# Internet connectivity in Kazakhstan (country/KZ)\n\nMetrics show a\n' +
                              'nation-scale disruption.\n\n## Event 1\n\n---\n\nEnd.');
  assert.equal(html, '<h1>Internet connectivity in Kazakhstan (country/KZ)</h1>\n' +
                     '<p>Metrics show a nation-scale disruption.</p>\n<h2>Event 1</h2>\n<hr>\n<p>End.</p>');
});

test('bullet and numbered lists, with continuation lines', () => {
  const html = markdownToHtml('- Start: 2022-01-05\n- End: ongoing\n  (so far)\n\n1. one\n2. two');
  assert.equal(html, '<ul><li>Start: 2022-01-05</li><li>End: ongoing (so far)</li></ul>\n' +
                     '<ol><li>one</li><li>two</li></ol>');
  // A list directly after a paragraph line ends the paragraph.
  assert.equal(markdownToHtml('Phases:\n- a'), '<p>Phases:</p>\n<ul><li>a</li></ul>');
});

test('inline bold, emphasis, code and links', () => {
  assert.equal(inline('**5%** of *ordinary* levels, `bgp_25` and snake_case_name'),
               '<strong>5%</strong> of <em>ordinary</em> levels, <code>bgp_25</code> and snake_case_name');
  assert.equal(inline('see [RIPE RIS](https://ris.ripe.net/x?a=1&b=2)'),
               'see <a href="https://ris.ripe.net/x?a=1&amp;b=2" rel="noopener">RIPE RIS</a>');
  assert.equal(inline('[api](/api/v2/meta)'), '<a href="/api/v2/meta" rel="noopener">api</a>');
  assert.equal(inline('2 * 3 * 4'), '2 * 3 * 4');
  assert.equal(inline('`**not bold**`'), '<code>**not bold**</code>');
});

test('pipe tables with alignment and escaped pipes', () => {
  const html = markdownToHtml('| Signal | Lowest | What |\n|---|--:|:-:|\n| bgp | 100% | a \\| b |\n' +
                              '| ping-slash24 | **5%** |\n\nafter');
  assert.equal(html,
               '<table><thead><tr><th scope="col">Signal</th><th scope="col" style="text-align:right">Lowest</th>' +
               '<th scope="col" style="text-align:center">What</th></tr></thead><tbody>' +
               '<tr><td>bgp</td><td style="text-align:right">100%</td><td style="text-align:center">a | b</td></tr>' +
               '<tr><td>ping-slash24</td><td style="text-align:right"><strong>5%</strong></td>' +
               '<td style="text-align:center"></td></tr></tbody></table>\n<p>after</p>');
});

test('everything is escaped: raw HTML, attributes and script URLs do nothing', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '# <img src=x onerror=alert(1)>',
    '- <b onclick="x()">b</b>',
    '[click](javascript:alert(1))',
    '[click](//evil.example/x)',
    '[x](https://a.example/"onmouseover="alert(1))',
    '| <i>h</i> |\n|---|\n| <svg onload=alert(1)> |',
    '**<em>** `</code><script>`',
    '![img](https://a.example/x.png)',
  ];
  for (const md of hostile) {
    const html = markdownToHtml(md);
    // The only tags present are the ones the converter writes.
    const tags = [...html.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((m) => m[1].toLowerCase());
    const allowed = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'table', 'thead',
                             'tbody', 'tr', 'th', 'td', 'strong', 'em', 'code', 'a', 'hr']);
    for (const t of tags) assert.ok(allowed.has(t), `tag <${t}> from ${JSON.stringify(md)}: ${html}`);
    // The only attributes are the converter's own; link targets are http(s) or site-relative.
    for (const m of html.matchAll(/<[a-z0-9]+(\s[^>]*)?>/g)) {
      const attrs = [...(m[1] || '').matchAll(/\s([a-z-]+)=/g)].map((a) => a[1]);
      for (const a of attrs) assert.ok(['href', 'rel', 'scope', 'style'].includes(a), `attribute ${a}: ${html}`);
    }
    for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1], /^(https?:\/\/|\/[^/]|#)/, html);
  }
  assert.equal(markdownToHtml('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  assert.equal(markdownToHtml('[click](javascript:alert(1))'), '<p>[click](javascript:alert(1))</p>');
  assert.equal(markdownToHtml('![Signals for <b>X</b>](chart.png)'), '<p>Signals for &lt;b&gt;X&lt;/b&gt;</p>');
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('empty and odd input', () => {
  assert.equal(markdownToHtml(''), '');
  assert.equal(markdownToHtml(null), '');
  assert.equal(markdownToHtml('\r\n\r\nline\r\n'), '<p>line</p>');
  assert.equal(markdownToHtml('a | b'), '<p>a | b</p>');
});
