/**
 * examples/markdown-to-html end to end: a real edgehook in front of a real origin serving Markdown
 * (and text, and a 404, and a document over the hook's body bound), real clients; one table run
 * against both the AssemblyScript and the TypeScript (marked on QuickJS) build, so the two convert
 * alike. Pages are converted once per cache fill (the hook's call count, from /metrics), stored as
 * HTML, and served whole; what is not Markdown, not a 200 or over the bound passes untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { buildExample, LANGUAGES, languageSettings } from './support.ts';

const TEMPLATE = '<html><head><title>{{title}}</title>{{stylesheet}}</head><body>{{content}}</body></html>';
const BOUND = 16 * 1024;
const page = (title: string, content: string): string =>
  `<html><head><title>${title}</title><link rel="stylesheet" href="/style.css"></head><body>${content}</body></html>`;

/** Markdown in, the page's content and title out: what both builds must produce, byte for byte. */
const CONVERSIONS: ReadonlyArray<{ readonly name: string; readonly markdown: string; readonly html: string; readonly title?: string }> = [
  {
    name: 'headings', title: 'One', markdown: '# One\n\n## Two ##\n\nThree\n=====\n\nFour\n----\n',
    html: '<h1>One</h1>\n<h2>Two</h2>\n<h1>Three</h1>\n<h2>Four</h2>\n',
  },
  {
    name: 'emphasis', markdown: 'Some *em*, _em_, **strong**, __strong__, ***both***, and snake_case_name.\n',
    html: '<p>Some <em>em</em>, <em>em</em>, <strong>strong</strong>, <strong>strong</strong>, <em><strong>both</strong></em>, and snake_case_name.</p>\n',
  },
  {
    name: 'code', markdown: 'Run `edgehook --help` or ``a`b``:\n\n```sh\ncurl -si "http://127.0.0.1:8080/a?b=1&c=2" <in.txt\n```\n\n    indented <code>\n',
    html: '<p>Run <code>edgehook --help</code> or <code>a`b</code>:</p>\n'
      + '<pre><code class="language-sh">curl -si &quot;http://127.0.0.1:8080/a?b=1&amp;c=2&quot; &lt;in.txt\n</code></pre>\n'
      + '<pre><code>indented &lt;code&gt;\n</code></pre>\n',
  },
  {
    name: 'links', markdown: 'See [the docs](https://example.com/docs "Docs & more"), [home](/), [mail](mailto:ops@example.com) and ![the logo](/img/logo.png "Logo").\n',
    html: '<p>See <a href="https://example.com/docs" title="Docs &amp; more">the docs</a>, <a href="/">home</a>, '
      + '<a href="mailto:ops@example.com">mail</a> and <img src="/img/logo.png" alt="the logo" title="Logo">.</p>\n',
  },
  {
    name: 'lists', markdown: '- tight\n- list\n  1. nested\n  2. ordered\n\n3. starts\n4. at three\n\n* loose\n\n* list\n',
    html: '<ul>\n<li>tight</li>\n<li>list<ol>\n<li>nested</li>\n<li>ordered</li>\n</ol>\n</li>\n</ul>\n'
      + '<ol start="3">\n<li>starts</li>\n<li>at three</li>\n</ol>\n<ul>\n<li><p>loose</p>\n</li>\n<li><p>list</p>\n</li>\n</ul>\n',
  },
  {
    name: 'quote', markdown: '> A quote\nwith a lazy line\n>\n> > nested\n',
    html: '<blockquote>\n<p>A quote\nwith a lazy line</p>\n<blockquote>\n<p>nested</p>\n</blockquote>\n</blockquote>\n',
  },
  {
    name: 'breaks', markdown: 'hard  \nbreak, and\\\nanother; a soft\nbreak\n\n***\n',
    html: '<p>hard<br>break, and<br>another; a soft\nbreak</p>\n<hr>\n',
  },
  {
    name: 'escapes', markdown: '\\*not em\\*, &copy; &#65; &amp; AT&T, 1 < 2 > 0, "quotes" and \'apostrophes\'\n',
    html: '<p>*not em*, &copy; A &amp; AT&amp;T, 1 &lt; 2 &gt; 0, &quot;quotes&quot; and &#39;apostrophes&#39;</p>\n',
  },
  {
    // Raw HTML is text; a script: or data: link keeps only its text. Safe by default.
    name: 'unsafe', title: '&lt;script&gt;alert(1)&lt;/script&gt;',
    markdown: '# <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) ![x](data:image/png;base64,AAAA) [ok](/x?a=1&b=2)\n',
    html: '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>\n<p>&lt;img src=x onerror=alert(1)&gt;</p>\n<p>click x <a href="/x?a=1&amp;b=2">ok</a></p>\n',
  },
];

const GUIDE = '# Edge *guide*\n\nStored as **HTML**, converted once.\n';
const GUIDE_PAGE = page('Edge guide', '<h1>Edge <em>guide</em></h1>\n<p>Stored as <strong>HTML</strong>, converted once.</p>\n');
/** Over the bound: it passes whole, and is never converted. */
const BIG = `# Big\n\n${'A line of a long document, **never** converted.\n'.repeat(Math.ceil((3 * BOUND) / 48))}`;

interface OriginFile { readonly type: string; readonly body: string; readonly status?: number; readonly headers?: Record<string, string> }

const FILES: Record<string, OriginFile> = {
  '/docs/guide.md': { type: 'text/markdown; charset=utf-8', body: GUIDE, headers: { etag: '"guide-v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' } },
  '/docs/head-first.md': { type: 'text/markdown', body: GUIDE },
  '/docs/alias.md': { type: 'text/x-markdown', body: GUIDE },
  '/docs/notes.txt': { type: 'text/plain', body: '# not *Markdown* here\n', headers: { etag: '"n1"' } },
  '/docs/latin1.md': { type: 'text/markdown; charset=iso-8859-1', body: '# caf\u00e9\n' },
  '/docs/missing.md': { type: 'text/markdown', body: '# Not found\n', status: 404 },
  '/docs/big.md': { type: 'text/markdown; charset=utf-8', body: BIG, headers: { etag: '"big-v1"' } },
  '/broken/guide.md': { type: 'text/markdown', body: GUIDE },
  ...Object.fromEntries(CONVERSIONS.map((c) => [`/docs/table/${c.name}.md`, { type: 'text/markdown', body: c.markdown }])),
};

describe.each(LANGUAGES)('examples/markdown-to-html (%s)', (language) => {
  let origin: TestOrigin;
  let node: EdgehookNode;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const module = await buildExample('markdown-to-html', language);
    origin = await startOrigin((req, res) => {
      const path = req.url!.split('?')[0]!;
      if (path === '/docs/revalidated.md') {
        // Revalidated every time; its 304 carries the Markdown's type, which must not reach the stored page.
        const headers = { etag: '"r1"', 'cache-control': 'max-age=0, must-revalidate', 'content-type': 'text/markdown' };
        if ((req.headers['if-none-match'] ?? '').includes('"r1"')) return void res.writeHead(304, headers).end();
        return void res.writeHead(200, headers).end(GUIDE);
      }
      const file = FILES[path] ?? { type: 'text/plain', body: 'missing', status: 404 };
      res.writeHead(file.status ?? 200, {
        'content-type': file.type, 'content-length': Buffer.byteLength(file.body), 'cache-control': 'max-age=600', ...file.headers,
      });
      res.end(file.body);
    });
    const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const hook = (name: string, path: string, config: unknown, extra: Record<string, unknown> = {}) => ({
      name, module, phases: ['on-origin-response'], routes: [{ path }], body: { response: BOUND, overflow: 'pass' }, config, ...languageSettings(language), ...extra,
    });
    node = await startEdgehook(origin.url, {
      hooks: [
        hook('markdown', '/docs/**', { template: TEMPLATE, stylesheet: '/style.css' }),
        // The example's on_error: a formatting hook that fails leaves the document as it came.
        hook('broken', '/broken/**', { template: '<p>no content placeholder</p>' }, { on_error: 'open' }),
      ],
    }, { hookCacheDir: CACHE_DIR, logger });
  }, 180_000);

  afterAll(async () => {
    await node?.close(0);
    await origin?.close();
  });

  /** The hook's on-origin-response calls so far, as the node's /metrics counts them. */
  async function hookCalls(): Promise<number> {
    const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
    return Number(/edgehook_hook_calls_total\{hook="markdown",phase="on-origin-response"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  }

  it('converts the table: each Markdown document becomes the template page', async () => {
    for (const c of CONVERSIONS) {
      const answer = await send(`${node.url}/docs/table/${c.name}.md`);
      expect({ name: c.name, status: answer.status, type: answer.headers['content-type'] }).toEqual({ name: c.name, status: 200, type: 'text/html; charset=utf-8' });
      expect(answer.body, c.name).toBe(page(c.title ?? `${c.name}.md`, c.html));
    }
  });

  it('stores the page: the next request is a hit, converted once, with a weak ETag and the caching fields kept', async () => {
    const before = await hookCalls();
    const miss = await send(`${node.url}/docs/guide.md`);
    const hit = await send(`${node.url}/docs/guide.md`);
    for (const answer of [miss, hit]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(GUIDE_PAGE);
      expect(answer.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(GUIDE_PAGE)),
        etag: 'W/"guide-v1"', 'cache-control': 'max-age=600', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT',
      });
    }
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/docs/guide.md')).toBe(1);
    expect(await hookCalls()).toBe(before + 1);
  });

  it('answers HEAD with the page\'s fields, before and after the page is stored', async () => {
    const get = await send(`${node.url}/docs/guide.md`);
    const head = await send(`${node.url}/docs/guide.md`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    // A HEAD miss fills with GET: the stored object is the page, and the GET after it a hit.
    const headFirst = await send(`${node.url}/docs/head-first.md`, { method: 'HEAD' });
    expect(headFirst.headers['content-type']).toBe('text/html; charset=utf-8');
    const after = await send(`${node.url}/docs/head-first.md`);
    expect(after.headers['cache-status']).toMatch(/hit/);
    expect(after.body).toBe(page('Edge guide', '<h1>Edge <em>guide</em></h1>\n<p>Stored as <strong>HTML</strong>, converted once.</p>\n'));
  });

  it('converts text/x-markdown too', async () => {
    const answer = await send(`${node.url}/docs/alias.md`);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toBe(GUIDE_PAGE);
  });

  it('leaves other types, other charsets and other statuses untouched', async () => {
    for (const path of ['/docs/notes.txt', '/docs/latin1.md', '/docs/missing.md']) {
      const file = FILES[path]!;
      const answer = await send(`${node.url}${path}`);
      expect({ path, status: answer.status, type: answer.headers['content-type'], body: answer.body })
        .toEqual({ path, status: file.status ?? 200, type: file.type, body: file.body });
    }
    expect((await send(`${node.url}/docs/notes.txt`)).headers.etag).toBe('"n1"');
  });

  it('passes a body over the bound unconverted and whole, with a log line, stored as it came', async () => {
    const before = await hookCalls();
    for (const attempt of ['miss', 'hit']) {
      const answer = await send(`${node.url}/docs/big.md`);
      expect({ attempt, status: answer.status, type: answer.headers['content-type'], etag: answer.headers.etag })
        .toEqual({ attempt, status: 200, type: 'text/markdown; charset=utf-8', etag: '"big-v1"' });
      expect(answer.body === BIG, attempt).toBe(true);
    }
    expect(await hookCalls()).toBe(before);
    expect(lines.filter((l) => l['code'] === 'EH_HOOK_BODY_OVER_BOUND')).toEqual([
      expect.objectContaining({ hook: 'markdown', phase: 'on-origin-response', bound: BOUND, body_bytes: Buffer.byteLength(BIG), path: '/docs/big.md' }),
    ]);
  });

  it('keeps a revalidated page a page when the origin\'s 304 names the Markdown type', async () => {
    const first = await send(`${node.url}/docs/revalidated.md`);
    const revalidated = await send(`${node.url}/docs/revalidated.md`);
    expect(revalidated.headers['cache-status']).toMatch(/fwd-status=304/);
    for (const answer of [first, revalidated]) {
      expect(answer.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', etag: 'W/"r1"' });
      expect(answer.body).toBe(GUIDE_PAGE);
    }
  });

  it('a broken config fails every call with a log line naming the field; on_error open serves the Markdown', async () => {
    const answer = await send(`${node.url}/broken/guide.md`);
    expect({ status: answer.status, type: answer.headers['content-type'], body: answer.body }).toEqual({ status: 200, type: 'text/markdown', body: GUIDE });
    expect(lines).toContainEqual(expect.objectContaining({ hook: 'broken', msg: 'markdown-to-html: config.template must contain {{content}}' }));
    expect(lines).toContainEqual(expect.objectContaining({ hook: 'broken', msg: 'hook failed', code: 'EH_HOOK_TRAP', on_error: 'open' }));
  });
});
