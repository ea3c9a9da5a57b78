/**
 * markdown-to-html (on-origin-response), the TypeScript build of hook.as: same config, same pages
 * (one test table runs against both). The conversion is `marked` from npm, bundled by `edgehook
 * hook build`, set to hook.as's subset and to safe output: no GFM extras (tables, strikethrough,
 * bare URLs), and raw HTML, <autolinks> and reference definitions stay text (escaped); a link or
 * image whose scheme is not http, https or mailto keeps only its text. A 200 text/markdown (or
 * text/x-markdown) in UTF-8 becomes the `template` page, stored once per cache fill; anything else
 * passes untouched, and a body over body.response never reaches the hook (body.overflow: pass).
 */
import { get as getConfig } from 'edgehook:hooks/config@0.1.0';
import { log } from 'edgehook:hooks/log@0.1.0';
import * as request from 'edgehook:hooks/request@0.1.0';
import * as response from 'edgehook:hooks/response@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';
import { Marked, type Tokens } from 'marked';
import { fromUtf8, utf8 } from '../shared/bytes.ts';
import { settingsOnce } from '../shared/settings.ts';

interface Settings { readonly template: string; readonly stylesheet: string }

const CONTINUE: Verdict = { tag: 'continue' };
const DEFAULT_TEMPLATE = '<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n'
  + '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
  + '<title>{{title}}</title>\n{{stylesheet}}\n</head>\n<body>\n<main>\n{{content}}</main>\n</body>\n</html>\n';

function loadSettings(): Settings | string {
  let raw: unknown;
  try {
    const text = getConfig();
    raw = JSON.parse(text === '' ? '{}' : text);
  } catch {
    return 'config is not a JSON object';
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'config is not a JSON object';
  const { template = DEFAULT_TEMPLATE, stylesheet = '' } = raw as Record<string, unknown>;
  if (typeof template !== 'string') return 'config.template must be a string';
  if (typeof stylesheet !== 'string') return 'config.stylesheet must be a string';
  if (!template.includes('{{content}}')) return 'config.template must contain {{content}}';
  return { template, stylesheet };
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
const current = settingsOnce('markdown-to-html', loadSettings);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * The destination as an attribute value, or null when its scheme is not http, https or mailto:
 * percent-encoded as encodeURI does (an existing % kept, as marked does), then escaped, so `&`
 * can never start a character reference (marked's own output keeps `&#106;avascript:` live).
 */
function safeUrl(href: string): string | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(href);
  if (scheme !== null && !['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase())) return null;
  try {
    return escapeHtml(encodeURI(href).replace(/%25/g, '%'));
  } catch {
    return null; // a lone surrogate
  }
}

const markdown = new Marked({ gfm: false });
markdown.use({
  // Returning undefined (not false) turns a rule off: its text is read as ordinary text.
  tokenizer: { html: () => undefined, tag: () => undefined, autolink: () => undefined, def: () => undefined },
  renderer: {
    link({ href, title, tokens }: Tokens.Link): string {
      const text = this.parser.parseInline(tokens);
      const url = safeUrl(href);
      if (url === null) return text;
      return `<a href="${url}"${title ? ` title="${escapeHtml(title)}"` : ''}>${text}</a>`;
    },
    image({ href, title, text, tokens }: Tokens.Image): string {
      const alt = escapeHtml(tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : text);
      const url = safeUrl(href);
      if (url === null) return alt;
      return `<img src="${url}" alt="${alt}"${title ? ` title="${escapeHtml(title)}"` : ''}>`;
    },
  },
});

/** text/markdown or text/x-markdown, in UTF-8 (or ASCII, or no charset said). */
function isMarkdown(type: string): boolean {
  const [media = '', ...params] = type.split(';');
  if (!['text/markdown', 'text/x-markdown'].includes(media.trim().toLowerCase())) return false;
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  if (charset === undefined) return true;
  let value = charset.slice(8).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return ['utf-8', 'utf8', 'us-ascii'].includes(value);
}

/** The page's own fields: its type, and a weak validator (equivalent to the origin's, not the same bytes). */
function markAsPage(): void {
  response.setHeader('content-type', 'text/html; charset=utf-8');
  const etag = response.getHeader('etag');
  if (etag != null && !etag.startsWith('W/')) response.setHeader('etag', `W/${etag}`);
  // Digests of the Markdown would be wrong for the page.
  for (const name of ['content-md5', 'digest', 'repr-digest', 'content-digest']) response.removeHeader(name);
}

/** The first heading's text (tags dropped: it is already escaped), else the file name. */
function titleOf(html: string, path: string): string {
  const heading = /<h([1-6])>([\s\S]*?)<\/h\1>/.exec(html);
  if (heading !== null) {
    const text = heading[2]!.replace(/<[^>]*>/g, '').trim();
    if (text !== '') return text;
  }
  return escapeHtml(path.slice(path.lastIndexOf('/') + 1));
}

/** One pass over the template: a value is never itself searched for placeholders. */
function fillTemplate(s: Settings, title: string, content: string): string {
  const stylesheet = s.stylesheet === '' ? '' : `<link rel="stylesheet" href="${escapeHtml(s.stylesheet)}">`;
  const values: Record<string, string> = { title, content, stylesheet };
  return s.template.replace(/\{\{(title|content|stylesheet)\}\}/g, (_, name: string) => values[name]!);
}

export const onOriginResponse = {
  handle(): Verdict {
    const s = current();
    const type = response.getHeader('content-type');
    if (type == null || !isMarkdown(type)) return CONTINUE;
    // A revalidation's 304 refreshes the stored page's fields: keep them the page's.
    if (response.status() === 304) {
      markAsPage();
      return CONTINUE;
    }
    if (response.status() !== 200) return CONTINUE;
    const encoding = response.getHeader('content-encoding');
    if (encoding != null && encoding.trim().toLowerCase() !== 'identity') {
      log('warn', `markdown-to-html: not converted: content-encoding ${encoding}`, []);
      return CONTINUE;
    }
    const body = response.body();
    if (body == null) {
      log('warn', 'markdown-to-html: not converted: no body (set body.response on the hook)', []);
      return CONTINUE;
    }
    // No bytes where the origin declared some: the answer to a HEAD, nothing to convert.
    const declared = response.getHeader('content-length');
    if (body.length === 0 && declared != null && declared.trim() !== '0') return CONTINUE;
    const text = fromUtf8(body);
    if (text === null) {
      log('warn', 'markdown-to-html: not converted: the body is not UTF-8', []);
      return CONTINUE;
    }
    const content = markdown.parse(text, { async: false });
    try {
      response.setBody(utf8(fillTemplate(s, titleOf(content, request.path()), content)));
    } catch {
      // too-large: the page outgrew body.response (the bound covers what the hook writes too).
      log('warn', 'markdown-to-html: not converted: the page is larger than body.response', []);
      return CONTINUE;
    }
    markAsPage();
    return CONTINUE;
  },
};
