import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { completeFields } from '@payreq/testing';

export const createBody = (platformId: string = crypto.randomUUID()) => ({
  platformId,
  number: 123,
  displayNumber: '№ 000123',
  fields: completeFields,
  agent: { name: 'Иван Петров', telegramId: 100200300 },
  createdAt: '2025-03-15T10:00:00',
  version: 2,
});

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export type Responder = (request: Received, index: number, response: ServerResponse) => void;

/** A tiny platform stand-in: records every request and answers with `respond`. */
export async function startReceiver(respond: Responder) {
  const received: Received[] = [];
  let responder = respond;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      responder(entry, received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setResponder(next: Responder) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** What the platform answers to 1C, per the contracts. */
export function platformAnswer(request: Received): unknown {
  const requestId = request.path.split('/')[4] ?? crypto.randomUUID();
  if (request.path.endsWith('/offer')) {
    return {
      offerId: crypto.randomUUID(),
      requestId,
      status: 'OFFER_ACCEPTED',
      offerStatus: 'ACCEPTED',
      version: 3,
    };
  }
  if (request.path.endsWith('/status')) {
    const body = JSON.parse(request.rawBody) as { status?: string; paymentStatus?: string };
    return {
      requestId,
      status: body.status ?? 'IN_PROGRESS',
      paymentStatus: body.paymentStatus ?? 'NOT_PAID',
      version: 3,
    };
  }
  if (request.path.endsWith('/documents')) {
    return { documentId: crypto.randomUUID(), requestId, sha256: '0'.repeat(64), size: 1 };
  }
  return {};
}

export const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
