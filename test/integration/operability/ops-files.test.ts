/**
 * Issue 13: the Grafana dashboard and the Prometheus alerting rules in docs/ops/ name only
 * metrics a node exports. A real node with workers and a disk tier (so the worker and tier
 * series exist) is scraped, and every metric name in every query — edgehook's own and the
 * semantic conventions' (http_*, process_*, nodejs_*) — must be among its series.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { send } from '../../support/edgehook.ts';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

const OPS = new URL('../../../docs/ops/', import.meta.url);

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ type: string; query?: string }> };
}
interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; labels?: { severity?: string }; annotations?: { summary?: string } }> }>;
}

const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', OPS), 'utf8')) as Dashboard;
const rules = parse(readFileSync(new URL('prometheus-alerts.yaml', OPS), 'utf8')) as RuleFile;

/** Every PromQL expression in the two files, with where it came from. */
const expressions: Array<[string, string]> = [
  ...dashboard.panels.flatMap((panel) => panel.targets.map((t): [string, string] => [`dashboard panel "${panel.title}"`, t.expr])),
  ...dashboard.templating.list.flatMap((v) => (v.type !== 'query' || v.query === undefined ? [] : [['dashboard variable', v.query] as [string, string]])),
  ...rules.groups.flatMap((group) => group.rules.map((rule): [string, string] => [`alert ${rule.alert}`, rule.expr])),
];

/**
 * The metric names a PromQL expression reads: identifiers in edgehook's and the semantic
 * conventions' namespaces, outside label matchers (`{…}`) and grouping clauses (`by (…)`, `on(…)`),
 * where label names such as http_connection_state live.
 */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/\{[^}]*\}/g, '{}').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/\b(?:edgehook|http|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0]);
}

/** The series names a scrape exposes: each # TYPE line's name, and a histogram's _bucket, _sum, _count. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

let origin: TestOrigin;
let node: EdgehookProcess;
let dir: string;
let exported: Set<string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgehook-ops-'));
  origin = await startOrigin((_req, res) => void res.writeHead(200, { 'cache-control': 'max-age=60' }).end('ok'));
  node = await spawnEdgehook(origin.url, { cache: { disk: { path: join(dir, 'disk'), max_bytes: '16MiB' } } }, { workers: 2, admin: true });
  await send(`${node.url}/warm`);
  exported = exportedNames((await send(`${node.adminUrl}/metrics`)).body);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/ops (issue 13)', () => {
  it('has queries and rules to check', () => {
    expect(dashboard.panels.length).toBeGreaterThan(10);
    expect(rules.groups.flatMap((g) => g.rules).length).toBeGreaterThan(5);
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(page|ticket|info)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it.each(expressions)('%s names only exported metrics', (_where, expr) => {
    const named = metricNames(expr);
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(exported, `${name} in ${expr}`).toContain(name);
  });

  it('would catch a name the node does not export', () => {
    expect(exported.has('edgehook_cache_hits_total')).toBe(false);
    expect(exported.has('edgehook_response_ttfb_bucket')).toBe(true);
  });
});
