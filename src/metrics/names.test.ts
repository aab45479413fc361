import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetricsDoc } from './metrics-doc.ts';
import { DEFAULT_METRIC_PREFIXES, METRICS, type MetricDeclaration } from './names.ts';
import { createMetricsRegistry } from './registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const declared = Object.values(METRICS) as MetricDeclaration[];

describe('metric declarations', () => {
  it('names are unique, prefixed and follow the Prometheus naming rules', () => {
    const names = declared.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of declared) {
      expect(metric.name).toMatch(/^rampart_[a-z][a-z0-9_]*$/);
      if (metric.type === 'counter') expect(metric.name).toMatch(/_total$/);
      else expect(metric.name).not.toMatch(/_total$/);
      if (metric.type === 'histogram') expect(metric.buckets?.length).toBeGreaterThan(3);
      for (const label of Object.keys(metric.labels)) expect(label).toMatch(/^[a-z][a-z_]*$/);
    }
  });

  it('no metric has a label for client keys, IPs or models', () => {
    for (const metric of declared) {
      for (const label of Object.keys(metric.labels)) expect(label).not.toMatch(/key|ip|addr|model|user/);
    }
  });
});

describe('the registry', () => {
  it('exposes every declared metric with its type, help and labels, plus the default process metrics', async () => {
    const { registry } = createMetricsRegistry();
    const exposed = await registry.getMetricsAsJSON();
    for (const metric of declared) {
      const found = exposed.find((m) => m.name === metric.name);
      expect(found, metric.name).toBeDefined();
      expect(found?.type).toBe(metric.type);
      expect(found?.help).toBe(metric.help);
    }
    const text = await registry.metrics();
    for (const metric of declared) expect(text).toContain(`# TYPE ${metric.name} ${metric.type}`);
    for (const prefix of DEFAULT_METRIC_PREFIXES) expect(exposed.some((m) => m.name.startsWith(prefix))).toBe(true);
  });

  it('registries are independent: counting in one leaves another at zero', async () => {
    const a = createMetricsRegistry({ defaultMetrics: false });
    const b = createMetricsRegistry({ defaultMetrics: false });
    a.metrics.httpRequests.inc({ route: '/x', provider: 'none', status_class: '2xx' });
    expect(await a.registry.metrics()).toContain('rampart_http_requests_total{route="/x",provider="none",status_class="2xx"} 1');
    expect(await b.registry.metrics()).not.toContain('route="/x"');
  });
});

describe('docs/metrics.md', () => {
  it('is what `npm run gen` writes from names.ts (regenerate when this fails)', () => {
    expect(readFileSync(path.join(ROOT, 'docs/metrics.md'), 'utf8')).toBe(renderMetricsDoc());
  });

  it('documents every declared metric and its labels', () => {
    const doc = renderMetricsDoc();
    for (const metric of declared) {
      expect(doc).toContain(`### \`${metric.name}\``);
      for (const label of Object.keys(metric.labels)) expect(doc).toContain(`| \`${label}\` |`);
    }
  });
});

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: { type: string; targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('queries only declared metrics (histogram series by their _bucket/_sum/_count names) and default process metrics', async () => {
    expect(exprs.length).toBeGreaterThan(10);
    const { registry } = createMetricsRegistry();
    const processNames = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const names = new Set(declared.map((m) => m.name));
    for (const expr of exprs) {
      const used = expr.match(/\b(?:rampart|process|nodejs)_[a-z0-9_]+/g) ?? [];
      expect(used.length, expr).toBeGreaterThan(0);
      for (const name of used) {
        if (name.startsWith('rampart_')) expect(names.has(name) || names.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} in ${expr}`).toBe(true);
        else expect(processNames.has(name), `${name} in ${expr}`).toBe(true);
      }
    }
  });

  it('shows every declared metric somewhere', () => {
    const all = exprs.join('\n');
    for (const metric of declared) expect(all, metric.name).toContain(metric.name);
  });
});
