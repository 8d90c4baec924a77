import { describe, expect, it } from 'vitest';

import { TelemetryEnv, currentTraceparent, inTrace, startTracing, traceIdOf } from '../src/index';
import { recordingServer } from './helpers';

describe('tracing without configuration', () => {
  it('exports nothing, yet makes trace ids and passes traceparent on', async () => {
    const env = TelemetryEnv.parse({});
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const tracing = startTracing('payreq-test', env);
    expect(tracing.exporting).toBe(false);
    const downstream = await recordingServer();
    try {
      const traceparent = await inTrace(null, 'a new trace', {}, async () => {
        await fetch(downstream.url);
        return currentTraceparent();
      });
      expect(traceIdOf(traceparent)).toMatch(/^[\da-f]{32}$/);
      expect(traceIdOf(downstream.received[0]?.headers.traceparent as string)).toBe(
        traceIdOf(traceparent),
      );
    } finally {
      await downstream.close();
      await tracing.shutdown();
    }
  });

  it('is refused when the endpoint is not a URL, and off altogether with OTEL_SDK_DISABLED', () => {
    expect(() => TelemetryEnv.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow();
    expect(() => TelemetryEnv.parse({ OTEL_EXPORTER_OTLP_HEADERS: 'no equals sign' })).toThrow();
    expect(TelemetryEnv.parse({ OTEL_SDK_DISABLED: 'true' }).OTEL_SDK_DISABLED).toBe(true);
  });
});
