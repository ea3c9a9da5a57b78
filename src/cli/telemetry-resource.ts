/**
 * The resource (service, host, process, …) every span and metric of this node carries, detected
 * once at start-up exactly as NodeSDK detects it — its default detectors, or the ones named in
 * OTEL_NODE_RESOURCE_DETECTORS — and then handed to both the meter provider (through NodeSDK)
 * and the node's tracer, so traces and metrics describe the same service instance.
 */
import {
  defaultResource, detectResources, envDetector, hostDetector, osDetector, processDetector, resourceFromAttributes,
  serviceInstanceIdDetector, type ResourceDetector,
} from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Env } from './telemetry-settings.ts';

type Resource = ReadableSpan['resource'];

/** NodeSDK's names for its detectors (OTEL_NODE_RESOURCE_DETECTORS), in its default order. */
const DETECTORS: ReadonlyMap<string, ResourceDetector> = new Map([
  ['serviceinstance', serviceInstanceIdDetector],
  ['process', processDetector],
  ['host', hostDetector],
  ['os', osDetector],
  ['env', envDetector],
]);

export function detectNodeResource(env: Env, serviceName: string | null): Resource {
  const detected = defaultResource().merge(detectResources({ detectors: detectorsFrom(env) }));
  return serviceName === null ? detected : detected.merge(resourceFromAttributes({ 'service.name': serviceName }));
}

function detectorsFrom(env: Env): ResourceDetector[] {
  const names = (env['OTEL_NODE_RESOURCE_DETECTORS'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0 || names.includes('all')) return [...DETECTORS.values()];
  if (names.includes('none')) return [];
  return names.flatMap((name) => DETECTORS.get(name) ?? []);
}
