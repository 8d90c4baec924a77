import type { Attributes, Context, Span } from '@opentelemetry/api';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  propagation,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';

/**
 * Tracing of the api and the bot with OpenTelemetry's SDK. One trace follows a call from the
 * Mini App through the outbox to 1C and to Telegram: the api's server spans continue an
 * incoming W3C `traceparent`; an outbox row keeps the `traceparent` of the transaction that
 * wrote it, and its delivery (the api's 1C worker, the bot) continues that trace; outbound
 * `fetch` carries it on (the undici instrumentation: diagnostics channels, so it needs no
 * loader hook and works in the bundles). Trace ids are made and logged always; spans leave
 * the process only when an OTLP endpoint is configured.
 */

/** The OpenTelemetry settings each app's env.ts validates (the standard variable names). */
export const TelemetryEnv = z.object({
  /** OTLP/HTTP collector, e.g. http://otel-collector:4318 (traces go to /v1/traces). Unset: no export. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.url({ protocol: /^https?$/ }).optional(),
  ),
  /** The traces endpoint itself, when it is not `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.url({ protocol: /^https?$/ }).optional(),
  ),
  /** `key=value,key2=value2`: headers of every export (a collector's API key). */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^(\s*[^=,\s]+\s*=[^,]*)(,\s*[^=,\s]+\s*=[^,]*)*$|^$/, 'key=value,key2=value2')
    .default(''),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** `true`: no tracing at all (no trace ids in logs, no traceparent kept or sent). */
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false', ''])
    .default('false')
    .transform((value) => value === 'true'),
});
export type TelemetryEnv = z.output<typeof TelemetryEnv>;

export interface Tracing {
  /** Whether spans are exported (an OTLP endpoint is set). */
  exporting: boolean;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

const REQUEST_ID = createContextKey('payreq request id');
const tracerName = '@payreq/telemetry';

/** Starts tracing for this process (once, before it serves or calls anything). */
export function startTracing(defaultServiceName: string, env: TelemetryEnv): Tracing {
  if (env.OTEL_SDK_DISABLED) return { exporting: false, shutdown: async () => undefined };
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? defaultServiceName,
    }),
    spanProcessors: url
      ? [new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: parseHeaders(env) }))]
      : [],
  });
  // AsyncLocalStorage context and the W3C trace-context propagator.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new UndiciInstrumentation()],
  });
  return {
    exporting: Boolean(url),
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
}

function parseHeaders(env: TelemetryEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of env.OTEL_EXPORTER_OTLP_HEADERS.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/** The trace (and request) of the line being logged: pino's `mixin`. */
export function traceLogFields(): Record<string, string> {
  const active = context.active();
  const fields: Record<string, string> = {};
  const span = trace.getSpan(active)?.spanContext();
  if (span && trace.isSpanContextValid(span)) {
    fields.trace_id = span.traceId;
    fields.span_id = span.spanId;
  }
  const requestId = active.getValue(REQUEST_ID);
  if (typeof requestId === 'string') fields.request_id = requestId;
  return fields;
}

/** The W3C `traceparent` of the current span, to keep with work done later (an outbox row). */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The trace id inside a `traceparent` (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '');
  return match ? match[1]! : null;
}

/**
 * Runs `work` in a span of its own, continuing the trace of `traceparent` when one is given
 * (an outbox row's), a new trace otherwise; the span records a thrown error and ends with it.
 */
export async function inTrace<T>(
  traceparent: string | null | undefined,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.CONSUMER,
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return trace
    .getTracer(tracerName)
    .startActiveSpan(name, { kind, attributes }, parent, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
}

/**
 * A server span for an incoming request: continues the caller's `traceparent` header and
 * carries the request id for the log lines. `enter` runs the rest of the request in it.
 */
export function startServerSpan(
  name: string,
  headers: Record<string, string | string[] | undefined>,
  requestId: string,
  attributes: Attributes,
): { span: Span; context: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = trace
    .getTracer(tracerName)
    .startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span).setValue(REQUEST_ID, requestId) };
}

export { SpanKind, SpanStatusCode, context as otelContext };
