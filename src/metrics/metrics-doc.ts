import { DEFAULT_METRIC_PREFIXES, METRICS, type MetricDeclaration } from './names.ts';

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

function section(metric: MetricDeclaration): string {
  const labels = Object.entries(metric.labels);
  const kind = metric.type.charAt(0).toUpperCase() + metric.type.slice(1);
  const lines = [`### \`${metric.name}\``, '', `${kind}. ${metric.help}`, ''];
  if (labels.length === 0) lines.push('No labels.', '');
  else {
    lines.push('| label | values |', '|---|---|');
    for (const [name, values] of labels) lines.push(`| \`${name}\` | ${escapeCell(values)} |`);
    lines.push('');
  }
  if (metric.buckets !== undefined) lines.push(`Buckets (seconds): ${metric.buckets.join(', ')}.`, '');
  return lines.join('\n');
}

/** docs/metrics.md, generated from src/metrics/names.ts (`npm run gen`; `npm run gen:check` fails when stale). */
export function renderMetricsDoc(): string {
  const metrics = Object.values(METRICS) as MetricDeclaration[];
  return [
    '# Metrics',
    '',
    '<!-- Generated from src/metrics/names.ts by `npm run gen`; do not edit by hand. -->',
    '',
    'Rampart serves Prometheus metrics at `GET /metrics` on the metrics listener (`server.metrics`, 127.0.0.1:9090 by',
    'default; `server.metrics.enabled: false` switches the listener and all counting off). Scrape it from the same',
    'host or through TLS (`server.metrics.tls`). `docs/grafana-dashboard.json` is a ready dashboard over these names.',
    '',
    'Label values are bounded: routes are route patterns (never raw URLs), providers and credentials are ids from the',
    'configuration or the vault, and every other label takes one of the values listed. No metric carries a client key id,',
    'a key prefix, an IP address or a model name; `rampart_blocked_ips` is a count, the addresses are listed by the CLI.',
    '',
    '| metric | type | labels |',
    '|---|---|---|',
    ...metrics.map((m) => `| \`${m.name}\` | ${m.type} | ${Object.keys(m.labels).map((l) => `\`${l}\``).join(', ') || '—'} |`),
    '',
    '## Rampart metrics',
    '',
    ...metrics.map(section),
    '## Process metrics',
    '',
    `prom-client's default metrics (${DEFAULT_METRIC_PREFIXES.map((p) => `\`${p}*\``).join(', ')}): CPU, memory, event loop lag,`,
    'garbage collection, open handles, Node.js version.',
    '',
  ].join('\n');
}
