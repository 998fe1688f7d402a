// A small, safe Markdown-to-HTML converter for the report view: ATX headings, paragraphs,
// bullet and numbered lists, pipe tables, horizontal rules, and inline **bold**, *emphasis*,
// `code` and [links](url). Every piece of source text is HTML-escaped before any tag is added, and
// links keep only http(s), site-relative and fragment targets, so the output is safe to assign to
// innerHTML whatever the input holds. Images are shown as their alt text (the report view places
// the chart itself); anything else (raw HTML, nested lists) is shown as escaped text. Pure function; no DOM needed (unit-tested under Node).

const ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

// Link targets allowed after escaping: absolute http(s), site-relative paths and fragments.
const SAFE_URL = /^(https?:\/\/|\/(?!\/)|#)/i;

function emphasis(text) {
  // `text` is already escaped: the patterns below only add tags around escaped content.
  return text
      .replace(/!\[([^\]]*)\]\([^)\s]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label, url) =>
        (SAFE_URL.test(url) ? `<a href="${url}" rel="noopener">${label}</a>` : m))
      .replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/__(?=\S)(.+?)__/g, '<strong>$1</strong>')
      .replace(/(^|[^*\w])\*(?=\S)([^*]+?)\*(?![*\w])/g, '$1<em>$2</em>')
      .replace(/(^|[^_\w])_(?=\S)([^_]+?)_(?![_\w])/g, '$1<em>$2</em>');
}

// Inline formatting of one block's text. Code spans are cut out first so nothing inside them
// is formatted.
export function inline(s) {
  return String(s).split(/(`[^`\n]+`)/).map((part, i) =>
    (i % 2 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : emphasis(escapeHtml(part)))).join('');
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

function cells(line) {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  // Split on pipes that are not escaped as \|.
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

function alignments(sep) {
  return cells(sep).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center'
                                : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : null));
}

function table(head, sep, body) {
  const align = alignments(sep);
  const n = cells(head).length;
  const row = (line, tag) => {
    const cs = cells(line);
    let out = '<tr>';
    for (let i = 0; i < n; i++) {
      const a = align[i] ? ` style="text-align:${align[i]}"` : '';
      out += `<${tag}${tag === 'th' ? ' scope="col"' : ''}${a}>${inline(cs[i] ?? '')}</${tag}>`;
    }
    return out + '</tr>';
  };
  return `<table><thead>${row(head, 'th')}</thead><tbody>${body.map((l) => row(l, 'td')).join('')}` +
         '</tbody></table>';
}

// Converts Markdown source to an HTML string (see the file comment for what is understood).
export function markdownToHtml(source) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let para = [];
  let list = null;  // {tag, items: [text]}
  const flushPara = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((t) => `<li>${inline(t)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };
  const flush = () => {
    flushPara();
    flushList();
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) {
      flush();
      continue;
    }
    let m;
    if ((m = HEADING.exec(line))) {
      flush();
      const level = m[1].length;
      out.push(`<h${level}>${inline(m[2])}</h${level}>`);
    } else if (RULE.test(line) && !para.length) {
      flush();
      out.push('<hr>');
    } else if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) &&
               lines[i + 1].includes('-')) {
      flush();
      const body = [];
      let j = i + 2;
      for (; j < lines.length && lines[j].trim() && lines[j].includes('|'); j++) body.push(lines[j]);
      out.push(table(line, lines[i + 1], body));
      i = j - 1;
    } else if ((m = BULLET.exec(line)) || (m = NUMBERED.exec(line))) {
      const tag = BULLET.test(line) ? 'ul' : 'ol';
      flushPara();
      if (list && list.tag !== tag) flushList();
      if (!list) list = {tag, items: []};
      list.items.push(tag === 'ul' ? m[1] : m[2]);
    } else if (list && /^\s+\S/.test(line)) {
      // An indented line continues the previous list item.
      list.items[list.items.length - 1] += ' ' + line.trim();
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}
