import { initTRPC, TRPCError } from '@trpc/server';
import { createTRPCClient, httpBatchStreamLink, httpLink, TRPCClientError } from '@trpc/client';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { registerTrpc } from '../src/trpc/fastify-handler';

/**
 * The api's tRPC route (src/trpc/fastify-handler.ts) over real HTTP, with a router of its own:
 * what tRPC's clients rely on must hold as with tRPC's Fastify plugin.
 */
const t = initTRPC.context<{ caller: string }>().create();
const started: string[] = [];
const aborted: string[] = [];
let releaseSlow: () => void = () => undefined;
const router = t.router({
  hello: t.procedure
    .input(z.object({ name: z.string().min(1) }))
    .query(({ input, ctx }) => ({ text: `Привет, ${input.name}`, caller: ctx.caller })),
  rename: t.procedure
    .input(z.object({ to: z.string() }))
    .mutation(({ input }) => ({ renamed: input.to })),
  refuse: t.procedure.query(() => {
    throw new TRPCError({ code: 'CONFLICT', message: 'already taken' });
  }),
  slow: t.procedure.input(z.object({ id: z.string() })).query(async ({ input, signal }) => {
    signal?.addEventListener('abort', () => aborted.push(input.id));
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
      started.push(input.id);
    });
    return { id: input.id };
  }),
});

describe('tRPC over Fastify (registerTrpc)', () => {
  let app: FastifyInstance;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    // Clients of the tests keep connections alive; closing must not wait for them.
    app = Fastify({ forceCloseConnections: true });
    registerTrpc(app, {
      prefix: '/trpc',
      trpcOptions: {
        router,
        createContext: ({ req }) => ({ caller: String(req.headers['x-caller'] ?? 'nobody') }),
        onError: ({ error, path }) => errors.push(`${path}: ${error.code}`),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/trpc`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const client = (headers: Record<string, string> = {}) =>
    createTRPCClient<typeof router>({ links: [httpLink({ url, headers })] });

  it('answers queries and mutations with the context of the request, as one JSON body', async () => {
    expect(await client({ 'x-caller': 'anna' }).hello.query({ name: 'Анна' })).toEqual({
      text: 'Привет, Анна',
      caller: 'anna',
    });
    expect(await client().rename.mutate({ to: 'Борис' })).toEqual({ renamed: 'Борис' });
    const response = await fetch(`${url}/hello?input=${encodeURIComponent('{"name":"x"}')}`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('transfer-encoding')).toBeNull();
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.json()).toEqual({
      result: { data: { text: 'Привет, x', caller: 'nobody' } },
    });
  });

  it('keeps tRPC’s errors: status, code, and the issues of bad input', async () => {
    const refused = await client()
      .refuse.query()
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<typeof router>).data?.httpStatus).toBe(409);
    expect((refused as Error).message).toBe('already taken');

    const bad = await fetch(`${url}/hello?input=${encodeURIComponent('{"name":""}')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'BAD_REQUEST',
    );
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    const wrongType = await fetch(`${url}/rename`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"to":"x"}',
    });
    expect(wrongType.status).toBe(415);
    expect(errors).toEqual(expect.arrayContaining(['refuse: CONFLICT', 'hello: BAD_REQUEST']));
  });

  it('answers batches, and streams them when the client asks for a stream', async () => {
    const batch = await fetch(
      `${url}/hello,hello?batch=1&input=${encodeURIComponent('{"0":{"name":"a"},"1":{"name":"b"}}')}`,
    );
    expect(((await batch.json()) as { result: { data: { text: string } } }[]).length).toBe(2);

    const streaming = createTRPCClient<typeof router>({ links: [httpBatchStreamLink({ url })] });
    const [a, b] = await Promise.all([
      streaming.hello.query({ name: 'a' }),
      streaming.rename.mutate({ to: 'b' }).catch(() => 'mutations are not batched with queries'),
    ]);
    expect(a.text).toBe('Привет, a');
    expect(b).toBeDefined();
    const raw = await fetch(
      `${url}/hello?batch=1&input=${encodeURIComponent('{"0":{"name":"c"}}')}`,
      { headers: { 'trpc-accept': 'application/jsonl' } },
    );
    expect(raw.headers.get('transfer-encoding')).toBe('chunked');
    expect(await raw.text()).toContain('Привет, c');
  });

  it('aborts a call’s signal when its client leaves, and not after an answer', async () => {
    const slow = fetch(`${url}/slow?input=${encodeURIComponent('{"id":"answered"}')}`);
    await until(() => started.includes('answered'));
    releaseSlow();
    expect(((await (await slow).json()) as { result: { data: unknown } }).result.data).toEqual({
      id: 'answered',
    });

    const leaving = new AbortController();
    const left = fetch(`${url}/slow?input=${encodeURIComponent('{"id":"left"}')}`, {
      signal: leaving.signal,
    }).catch(() => 'left');
    await until(() => started.includes('left'));
    leaving.abort();
    expect(await left).toBe('left');
    await until(() => aborted.includes('left'));
    releaseSlow();
    // Give a wrongly aborted signal of the answered call time to show.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(aborted).toEqual(['left']);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
