/**
 * The Prometheus name OpenTelemetry's Prometheus serializer gives a metric (as docs/ops/README.md
 * states it): characters other than letters, digits and `_` become `_`, runs of `_` collapse, and
 * a monotonic sum (a counter) ends in `_total`. Tests use it to check that /metrics and OTLP carry
 * one list of metrics.
 */
export function prometheusName(otelName: string, isCounter: boolean): string {
  const name = otelName.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
  return isCounter && !name.endsWith('_total') ? `${name}_total` : name;
}

/** The metric families a /metrics text declares, by name. */
export function declaredFamilies(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]!);
}
