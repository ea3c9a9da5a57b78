/**
 * The `telemetry:` mapping. Accepted as free-form settings for now; the telemetry owner will
 * replace this with a typed shape (an `s.object({...})`) and a matching TelemetryConfig.
 */
import * as s from './dsl/index.ts';

export type TelemetryConfig = Readonly<Record<string, s.JsonValue>>;

export const telemetryField: s.Field<TelemetryConfig> = s.record(s.json({ doc: 'Any JSON value.' }), {
  doc: 'Telemetry settings (OpenTelemetry exporter and so on); only the CLI starts the SDK. Free-form for now.',
});
