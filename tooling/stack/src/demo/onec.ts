import type { RequestSummary } from '@payreq/onec-emulator';

import { DEV_ONEC_USER } from '../people';

/** A request as 1C's operator list shows it (the emulator's summary, as JSON: only text and numbers). */
export type OnecRequestSummary = RequestSummary;

export interface OnecDelivery {
  id: string;
  operation: string;
  path: string;
  state: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

export interface OnecOffer {
  ref: string;
  rate: string;
  feePercent: string;
  fixedFee: string;
  totalToPay: string;
  settlementDays: number;
  platformOfferId: string | null;
}

export interface OnecDocument {
  ref: string;
  kind: string;
  number: string;
  fileName: string;
  mime: string;
  size: number;
  sha256: string;
  platformDocumentId: string | null;
}

export interface OnecRequestView {
  ref: string;
  number: string;
  platformId: string;
  status: string;
  paymentStatus: string;
  /** The newest version of the request 1C holds. */
  version: number;
  fields: Record<string, string | null>;
  /** The changes the platform told 1C after the submit, in the order applied. */
  updates: { updateId: string; version: number; deliveries: number }[];
  url: string;
  offers: OnecOffer[];
  documents: OnecDocument[];
  deliveries: OnecDelivery[];
}

/** The 1C operator's side of the emulator, over its operator API (Basic auth). */
export class OnecOperator {
  private readonly authorization: string;

  constructor(
    /** The infobase URL, `http://host:port/bank`. */
    private readonly baseUrl: string,
    user = DEV_ONEC_USER,
  ) {
    this.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/operator/api${path}`, {
      method,
      headers: {
        authorization: this.authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`1C operator ${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  async list(): Promise<OnecRequestSummary[]> {
    return (await this.call<{ items: OnecRequestSummary[] }>('GET', '/requests')).items;
  }

  get(refOrPlatformId: string): Promise<OnecRequestView> {
    return this.call('GET', `/requests/${encodeURIComponent(refOrPlatformId)}`);
  }

  /** The request a web-client link (`…#e1cib/data/Document.X?ref=<32 hex>`) opens in 1C. */
  byLink(link: string): Promise<OnecRequestView> {
    const hex = link.match(/[?&]ref=([0-9a-f]{32})/i)?.[1];
    if (!hex) throw new Error(`not a 1C web-client link: ${link}`);
    return this.call('GET', `/link/${hex}`);
  }

  /** Every action waits for the platform's answer and fails unless the platform took it. */
  private async act<T extends { delivery: OnecDelivery }>(
    path: string,
    body: Record<string, unknown>,
  ): Promise<T> {
    const answer = await this.call<T>('POST', path, { ...body, wait: 30_000 });
    if (answer.delivery.state !== 'DELIVERED')
      throw new Error(
        `1C's call ${answer.delivery.path} is ${answer.delivery.state}: ${answer.delivery.lastError ?? `HTTP ${answer.delivery.lastStatus}`}`,
      );
    return answer;
  }

  sendOffer(
    id: string,
    terms: {
      rate: string;
      feePercent: string;
      fixedFee: string;
      settlementDays: number;
      comment?: string;
    },
  ) {
    return this.act<{ offer: OnecOffer; delivery: OnecDelivery }>(
      `/requests/${encodeURIComponent(id)}/offer`,
      terms,
    );
  }

  setStatus(id: string, status: 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED') {
    return this.act<{ delivery: OnecDelivery }>(`/requests/${encodeURIComponent(id)}/status`, {
      status,
    });
  }

  setPaymentStatus(id: string, paymentStatus: string) {
    return this.act<{ delivery: OnecDelivery }>(
      `/requests/${encodeURIComponent(id)}/payment-status`,
      { paymentStatus },
    );
  }

  generateDocument(id: string, kind: string) {
    return this.act<{ document: OnecDocument; delivery: OnecDelivery }>(
      `/requests/${encodeURIComponent(id)}/documents`,
      { kind },
    );
  }

  /** The generated file as 1C keeps it. */
  async documentFile(ref: string): Promise<Buffer> {
    const response = await fetch(`${this.baseUrl}/operator/api/documents/${ref}/file`, {
      headers: { authorization: this.authorization },
    });
    if (!response.ok) throw new Error(`1C document ${ref}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
}
