/**
 * A Markdown document of a given size for the markdown-to-html example's bench (per call in
 * bench/examples-bench.ts, per request from the fixture server's /md/<size>): a README-like
 * section — headings, paragraphs with emphasis, links and code spans, a list, a fenced block, a
 * quote — repeated until the size is reached, so the cost scales the way a real page's does.
 */
const SECTION = `## Section

Edgehook stores **one conversion per cache fill**: the *first* request after a purge converts,
every later one is a [cache hit](https://example.com/docs/cache "Caching") served from memory.
Run \`edgehook hook build\` and then \`edgehook serve\`.

- converts headings, lists and \`code\`
- keeps caching headers
  1. weak ETag
  2. Content-Length from the page

\`\`\`sh
curl -si http://127.0.0.1:8080/docs/guide.md
\`\`\`

> Raw HTML such as <script> is escaped.

`;

/** `# Bench` and as many sections as it takes to reach `bytes` (at least one). */
export function benchMarkdown(bytes: number): string {
  const sections = Math.max(1, Math.ceil((bytes - 9) / SECTION.length));
  return `# Bench\n\n${SECTION.repeat(sections)}`;
}
