import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS, type MetricDeclaration, type MetricHandle, type MetricType } from './names.ts';

type MetricOf<T extends MetricType> = T extends 'counter' ? Counter : T extends 'gauge' ? Gauge : Histogram;

/** The prom-client object of every declared metric, by handle. */
export type MetricSet = { readonly [K in MetricHandle]: MetricOf<(typeof METRICS)[K]['type']> };

/** A callback run before a scrape reads the metric (gauges whose value is read from elsewhere). */
export type Collector = () => void | Promise<void>;

/** Options of `createMetricsRegistry`. */
export interface MetricsRegistryOptions {
  /** Scrape-time callbacks per metric. */
  collect?: Partial<Record<MetricHandle, Collector>>;
  /** Add prom-client's process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
}

/**
 * Builds a registry of its own (never prom-client's global one, so tests and several app instances in one process
 * do not share counters) holding every declared metric, plus the default process metrics.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): { registry: Registry; metrics: MetricSet } {
  const registry = new Registry();
  const built: Partial<Record<MetricHandle, Counter | Gauge | Histogram>> = {};
  for (const handle of Object.keys(METRICS) as MetricHandle[]) {
    built[handle] = build(METRICS[handle], registry, options.collect?.[handle]);
  }
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return { registry, metrics: built as MetricSet };
}

function build(declaration: MetricDeclaration, registry: Registry, collect: Collector | undefined): Counter | Gauge | Histogram {
  const base = {
    name: declaration.name,
    help: declaration.help,
    labelNames: Object.keys(declaration.labels),
    registers: [registry],
    ...(collect === undefined ? {} : { collect }),
  };
  switch (declaration.type) {
    case 'counter':
      return new Counter(base);
    case 'gauge':
      return new Gauge(base);
    case 'histogram':
      return new Histogram({ ...base, buckets: [...(declaration.buckets ?? [])] });
  }
}
