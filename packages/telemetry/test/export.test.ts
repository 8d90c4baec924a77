import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Tracing } from '../src/index';
import {
  TelemetryEnv,
  currentTraceparent,
  inTrace,
  otelContext,
  startServerSpan,
  startTracing,
  traceIdOf,
  traceLogFields,
} from '../src/index';
import { recordingServer } from './helpers';

describe('tracing with an OTLP endpoint', () => {
  let collector: Awaited<ReturnType<typeof recordingServer>>;
  let downstream: Awaited<ReturnType<typeof recordingServer>>;
  let tracing: Tracing;

  beforeAll(async () => {
    collector = await recordingServer();
    downstream = await recordingServer();
    tracing = startTracing(
      'payreq-test',
      TelemetryEnv.parse({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%20key',
      }),
    );
  });
  afterAll(async () => {
    await collector.close();
    await downstream.close();
  });

  it('continues an incoming traceparent, logs its ids, and hands them to fetch and to a row', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { span, context } = startServerSpan(
      'POST /trpc/x',
      { traceparent: incoming },
      'req-7',
      {},
    );
    const kept = await otelContext.with(context, async () => {
      expect(traceLogFields()).toMatchObject({
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        request_id: 'req-7',
      });
      await fetch(`${downstream.url}/hs/payreq/v1/requests`, { method: 'POST', body: '{}' });
      return currentTraceparent();
    });
    span.end();
    expect(traceIdOf(kept)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf(downstream.received[0]?.headers.traceparent as string)).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );

    // Later, elsewhere: the delivery of the row continues that trace.
    const delivered = await inTrace(kept, 'outbox deliver', {}, async () => traceLogFields());
    expect(delivered.trace_id).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(delivered.span_id).not.toBe(traceLogFields().span_id);
    // Outside any span: nothing to log.
    expect(traceLogFields()).toEqual({});

    await tracing.shutdown();
    expect(tracing.exporting).toBe(true);
    const exports = collector.received.filter((item) => item.url === '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]!.headers['x-api-key']).toBe('secret key');
    const body = exports.map((item) => item.body).join('\n');
    expect(body).toContain('payreq-test');
    expect(body).toContain('outbox deliver');
    expect(body).toContain('POST /trpc/x');
  });
});
