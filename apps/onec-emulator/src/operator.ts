import { createHash, randomUUID } from 'node:crypto';

import {
  DocumentKind,
  OnecDocumentBody,
  OnecOfferBody,
  OnecOfferResult,
  OnecRequestView,
  OnecStatusBody,
  OnecStatusResult,
  PaymentStatus,
  OnecSettableStatus,
} from '@payreq/contracts';
import type { OnecDocumentResult } from '@payreq/contracts';
import { fromOnecDateTime, isOnecDateTime, onecWebLink, toOnecDateTime } from '@payreq/onec';
import type {
  OnecCreateRequestBody,
  OnecDocumentRequestBody,
  OnecRequestState,
  OnecUpdateRequestAnswer,
  OnecUpdateRequestBody,
} from '@payreq/onec';
import type { z } from 'zod';

import { EmulatorError } from './config';
import type { ResolvedEmulatorConfig } from './config';
import { computeTotalToPay } from './decimal';
import { buildDocumentLayout, documentFileName, documentPrefixes, renderPdf } from './pdf';
import type { PlatformLink } from './platform';
import type {
  Delivery,
  DeliveryOperation,
  EmulatorStore,
  StoredDocument,
  StoredJob,
  StoredOffer,
  StoredRequest,
  StoredUpdate,
} from './store';

export interface OfferInput {
  rate: string | number;
  feePercent: string | number;
  fixedFee: string | number;
  /** Default: amount × rate × (1 + fee % / 100) + fixed fee. */
  totalToPay?: string | number | null;
  settlementDays: number;
  /** A Date, a 1C date-time, an ISO date-time with zone, or a date (end of that day, 1C time). */
  validUntil?: string | Date | null;
  comment?: string | null;
}

export interface ActionOptions {
  /**
   * Wait until the call to the platform settles (delivered or failed): true (default), false,
   * or at most this many milliseconds (then the delivery is returned as it stands, still PENDING).
   */
  wait?: boolean | number;
}

export type DeliveryView = Omit<Delivery, 'rawBody'> & { body: unknown };

export type DocumentView = Omit<StoredDocument, 'contentBase64'>;

export interface RequestView extends StoredRequest {
  url: string;
  offers: StoredOffer[];
  documents: DocumentView[];
  jobs: StoredJob[];
  deliveries: DeliveryView[];
  /** The change log: every update the platform sent, in the order it was applied. */
  updates: StoredUpdate[];
}

export interface RequestSummary {
  ref: string;
  number: string;
  date: string;
  platformId: string;
  displayNumber: string;
  payerName: string | null;
  amount: string | null;
  currency: string | null;
  agentName: string | null;
  status: StoredRequest['status'];
  paymentStatus: StoredRequest['paymentStatus'];
  offers: number;
  documents: number;
  queuedJobs: number;
  failedDeliveries: number;
  url: string;
}

export function deliveryView(delivery: Delivery): DeliveryView {
  const { rawBody, ...rest } = delivery;
  let body: unknown = rawBody;
  try {
    const parsed = JSON.parse(rawBody) as Record<string, unknown>;
    if (typeof parsed.contentBase64 === 'string') {
      parsed.contentBase64 = `<${parsed.contentBase64.length} base64 characters>`;
    }
    body = parsed;
  } catch {
    // keep the text
  }
  return { ...rest, body };
}

/** The platform's endpoint under `/onec/v1/requests/{platformId}/` that each operation posts to. */
const platformEndpoints: Record<DeliveryOperation, string> = {
  offer: 'offer',
  status: 'status',
  document: 'documents',
};

function documentView(document: StoredDocument): DocumentView {
  const { contentBase64: _content, ...rest } = document;
  return rest;
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Why the platform refused a call, for 1C's operator: a post computed on fields changed since in
 * the operator's words (what to do next), anything else in the platform's message.
 */
function refusalOf(delivery: Delivery): string {
  const answer = delivery.response as {
    error?: { code?: unknown; message?: unknown; currentVersion?: unknown };
  } | null;
  const error = answer?.error;
  if (error?.code === 'STALE_VERSION') {
    const sent = (JSON.parse(delivery.rawBody) as { version?: unknown }).version;
    return `он сделан по версии ${String(sent)} заявки, а её данные с тех пор изменились (сейчас версия ${String(error.currentVersion)}). Повторите по данным этой версии, когда она придёт из платформы.`;
  }
  if (typeof error?.message === 'string') return error.message;
  return delivery.lastError ?? 'отказ';
}

const invalid = (message: string) => new EmulatorError(400, 'VALIDATION_FAILED', message);

/** `value` as one of the enum's words, or a 400 that lists them after `what`. */
function oneOf<Word extends string>(
  words: z.ZodEnum<{ [W in Word]: W }>,
  value: string,
  what: string,
): Word {
  const parsed = words.safeParse(value);
  if (!parsed.success) throw invalid(`${what} ${words.options.join(', ')}`);
  return parsed.data as Word;
}

/**
 * The emulated 1C: what its HTTP service does with the platform's calls, and what its operator
 * (and its scheduled jobs) do toward the platform.
 */
export class Operator {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly generating = new Set<Promise<unknown>>();
  private stopped = false;
  /** The status 1C had before a status post, put back if the platform refuses the post. */
  private readonly statusBefore = new Map<
    string,
    Pick<StoredRequest, 'status' | 'paymentStatus'>
  >();

  constructor(
    private readonly config: ResolvedEmulatorConfig,
    private readonly store: EmulatorStore,
    private readonly link: PlatformLink,
    private readonly baseUrl: () => string,
  ) {}

  private nowLocal(): string {
    return toOnecDateTime(this.config.now(), this.config.timeZone);
  }

  private webClientUrl(): string {
    return this.config.webClientUrl ?? this.baseUrl();
  }

  /** The web-client link to a request document. */
  linkFor(ref: string): string {
    return onecWebLink(this.webClientUrl(), this.config.documentName, ref);
  }

  // ----- the HTTP service (what the platform calls) -----

  /** The request a service call names by its Ref_Key (404 as the HTTP service answers it). */
  private requestByRef(ref: string): StoredRequest {
    const request = this.store.requests.find((r) => r.ref === ref.toLowerCase());
    if (!request) throw new EmulatorError(404, 'NOT_FOUND', `No request with Ref_Key ${ref}`);
    return request;
  }

  /** `POST /v1/requests`: idempotent on platformId. */
  receiveRequest(body: OnecCreateRequestBody): { request: StoredRequest; created: boolean } {
    const existing = this.store.findRequestByPlatformId(body.platformId);
    if (existing) return { request: existing, created: false };
    const at = this.config.now().toISOString();
    const request: StoredRequest = {
      ref: randomUUID(),
      number: `ЗП00-${String(this.store.nextNumber('request')).padStart(6, '0')}`,
      date: this.nowLocal(),
      platformId: body.platformId.toLowerCase(),
      platformNumber: body.number,
      displayNumber: body.displayNumber,
      fields: body.fields,
      agent: body.agent,
      createdAt: body.createdAt,
      status: 'COLLECTING_OFFERS',
      paymentStatus: 'NOT_PAID',
      version: body.version,
      cancelledBy: null,
      platformDocuments: [],
      receivedAt: at,
      updatedAt: at,
    };
    this.store.addRequest(request);
    return { request, created: true };
  }

  /** `GET /v1/requests/{Ref_Key}`. */
  requestState(ref: string): OnecRequestState {
    const request = this.requestByRef(ref);
    return {
      Ref_Key: request.ref,
      Number: request.number,
      Date: request.date,
      platformId: request.platformId,
      platformNumber: request.platformNumber,
      displayNumber: request.displayNumber,
      createdAt: request.createdAt,
      fields: request.fields,
      agent: request.agent,
      version: request.version,
      status: request.status,
      paymentStatus: request.paymentStatus,
      offers: this.store.offersOf(request.ref).map((o) => ({
        Ref_Key: o.ref,
        rate: o.rate,
        feePercent: o.feePercent,
        fixedFee: o.fixedFee,
        totalToPay: o.totalToPay,
        settlementDays: o.settlementDays,
        validUntil: o.validUntil,
        comment: o.comment,
        Date: o.date,
      })),
      documents: this.store.documentsOf(request.ref).map((d) => ({
        Ref_Key: d.ref,
        kind: d.kind,
        Number: d.number,
        Date: d.date,
        fileName: d.fileName,
        mime: d.mime,
        size: d.size,
        sha256: d.sha256,
        documentRequestId: d.documentRequestId,
      })),
      documentJobs: this.store.jobsOf(request.ref).map((j) => ({
        Ref_Key: j.ref,
        kind: j.kind,
        documentRequestId: j.documentRequestId,
        state: j.state,
        document_Key: j.documentRef,
        error: j.error,
      })),
    };
  }

  /**
   * `POST /v1/requests/{Ref_Key}/updates`: applies a change made on the platform once per
   * updateId (a redelivery is answered with `applied: false`), into the request's copy and its
   * change log, in the order they come (the platform's). Fields older than the copy's version
   * are logged but do not roll the copy back.
   */
  receiveUpdate(
    ref: string,
    body: OnecUpdateRequestBody,
  ): { answer: OnecUpdateRequestAnswer; created: boolean } {
    const request = this.requestByRef(ref);
    if (body.platformId.toLowerCase() !== request.platformId) {
      throw new EmulatorError(
        400,
        'VALIDATION_FAILED',
        `platformId ${body.platformId} is not the platform's id of ${request.ref}`,
      );
    }
    const existing = this.store.findUpdate(body.updateId);
    if (existing) {
      if (existing.requestRef !== request.ref || existing.version !== body.version) {
        throw new EmulatorError(
          409,
          'IDEMPOTENCY_MISMATCH',
          `updateId ${body.updateId} was already used for another update`,
        );
      }
      this.store.update(existing, { deliveries: existing.deliveries + 1 });
      return {
        answer: { updateId: existing.updateId, applied: false, version: request.version },
        created: false,
      };
    }
    const at = this.config.now().toISOString();
    const update: StoredUpdate = {
      updateId: body.updateId.toLowerCase(),
      requestRef: request.ref,
      version: body.version,
      at: body.at,
      by: body.by,
      comment: body.comment,
      changes: body.changes,
      receivedAt: at,
      deliveries: 1,
    };
    this.store.addUpdate(update);
    {
      const patch: Partial<StoredRequest> = {
        version: Math.max(request.version, body.version),
        updatedAt: at,
      };
      for (const change of body.changes) {
        switch (change.type) {
          case 'fields':
            // The create call reads the fields when it is delivered: after an outage it may
            // already hold fields newer than an edit queued behind it.
            if (body.version >= request.version) patch.fields = change.fields;
            break;
          case 'status':
            patch.status = change.to;
            break;
          case 'cancelled':
            patch.status = 'CANCELLED';
            patch.cancelledBy = body.by;
            break;
          case 'paymentStatus':
            patch.paymentStatus = change.to;
            break;
          case 'document':
            patch.platformDocuments = [...request.platformDocuments, change];
            break;
        }
      }
      this.store.update(request, patch);
    }
    return {
      answer: { updateId: update.updateId, applied: true, version: request.version },
      created: true,
    };
  }

  /** `POST /v1/requests/{Ref_Key}/documents`: idempotent on documentRequestId. */
  receiveDocumentRequest(
    ref: string,
    body: OnecDocumentRequestBody,
  ): { job: StoredJob; created: boolean } {
    const request = this.requestByRef(ref);
    const existing = this.store.findJobByDocumentRequestId(body.documentRequestId);
    if (existing) {
      if (existing.requestRef !== request.ref || existing.kind !== body.kind) {
        throw new EmulatorError(
          409,
          'IDEMPOTENCY_MISMATCH',
          `documentRequestId ${body.documentRequestId} was already used for ${existing.kind} of another call`,
        );
      }
      return { job: existing, created: false };
    }
    const at = this.config.now().toISOString();
    const job: StoredJob = {
      ref: randomUUID(),
      requestRef: request.ref,
      kind: body.kind,
      documentRequestId: body.documentRequestId.toLowerCase(),
      state: 'QUEUED',
      documentRef: null,
      error: null,
      createdAt: at,
      updatedAt: at,
    };
    this.store.addJob(job);
    if (this.config.autoGenerate) this.scheduleJob(job);
    return { job, created: true };
  }

  /** Automatic generation of a queued job (the 1C scheduled job). */
  scheduleJob(job: StoredJob): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const work = this.fulfilJob(job.ref).catch(() => undefined);
      this.generating.add(work);
      void work.finally(() => this.generating.delete(work));
    }, this.config.autoGenerateDelayMs);
    this.timers.add(timer);
  }

  // ----- the operator -----

  private requirePlatform(): void {
    if (!this.link.configured) {
      throw new EmulatorError(
        503,
        'PLATFORM_NOT_CONFIGURED',
        'The platform URL is not configured in the emulator',
      );
    }
  }

  private requireRequest(refOrPlatformId: string): StoredRequest {
    const request = this.store.findRequest(refOrPlatformId);
    if (!request)
      throw new EmulatorError(404, 'NOT_FOUND', `No request ${refOrPlatformId} in the emulator`);
    return request;
  }

  listRequests(): RequestSummary[] {
    return this.store.requests
      .map((r) => ({
        ref: r.ref,
        number: r.number,
        date: r.date,
        platformId: r.platformId,
        displayNumber: r.displayNumber,
        payerName: r.fields.payerName,
        amount: r.fields.amount,
        currency: r.fields.currency,
        agentName: r.agent?.name ?? null,
        status: r.status,
        paymentStatus: r.paymentStatus,
        offers: this.store.offersOf(r.ref).length,
        documents: this.store.documentsOf(r.ref).length,
        queuedJobs: this.store.jobsOf(r.ref).filter((j) => j.state === 'QUEUED').length,
        failedDeliveries: this.store.deliveriesOf(r.ref).filter((d) => d.state === 'FAILED').length,
        url: this.linkFor(r.ref),
      }))
      .reverse();
  }

  getRequest(refOrPlatformId: string): RequestView {
    const request = this.requireRequest(refOrPlatformId);
    return {
      ...request,
      url: this.linkFor(request.ref),
      offers: this.store.offersOf(request.ref),
      documents: this.store.documentsOf(request.ref).map(documentView),
      jobs: this.store.jobsOf(request.ref),
      deliveries: this.store.deliveriesOf(request.ref).map(deliveryView),
      updates: this.store.updatesOf(request.ref),
    };
  }

  private onecDateTimeOf(value: string | Date, what: string): string {
    if (value instanceof Date) return toOnecDateTime(value, this.config.timeZone);
    const text = value.trim();
    if (isOnecDateTime(text)) return text;
    if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isOnecDateTime(`${text}T23:59:59`))
      return `${text}T23:59:59`;
    const parsed = new Date(text);
    if (
      /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) &&
      !Number.isNaN(parsed.getTime())
    ) {
      return toOnecDateTime(parsed, this.config.timeZone);
    }
    throw invalid(
      `${what}: expected YYYY-MM-DD, YYYY-MM-DDTHH:mm:ss or an ISO date-time, got ${JSON.stringify(value)}`,
    );
  }

  /**
   * Queues a call to the platform's endpoint of the request for `operation`; the object it
   * carries (an offer, a document) remembers its delivery.
   */
  private enqueueFor(
    operation: DeliveryOperation,
    request: StoredRequest,
    body: unknown,
    object?: StoredOffer | StoredDocument,
  ): Delivery {
    const delivery = this.link.enqueue(
      operation,
      request.ref,
      object?.ref ?? null,
      `/onec/v1/requests/${request.platformId}/${platformEndpoints[operation]}`,
      body,
    );
    if (object) this.store.update(object, { deliveryId: delivery.id });
    return delivery;
  }

  private async settle(delivery: Delivery, options?: ActionOptions): Promise<DeliveryView> {
    const wait = options?.wait ?? true;
    if (wait === false) return deliveryView(delivery);
    if (wait === true) return deliveryView(await this.link.wait(delivery));
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.link.wait(delivery),
      new Promise<Delivery>((resolve) => {
        timer = setTimeout(() => resolve(delivery), wait);
      }),
    ]);
    clearTimeout(timer);
    return deliveryView(settled);
  }

  /** Computes an offer (a new calculation document) and posts it to the platform. */
  async sendOffer(
    refOrPlatformId: string,
    input: OfferInput,
    options?: ActionOptions,
  ): Promise<{ offer: StoredOffer; delivery: DeliveryView }> {
    this.requirePlatform();
    const request = this.requireRequest(refOrPlatformId);
    let totalToPay = input.totalToPay;
    if (totalToPay === undefined || totalToPay === null || totalToPay === '') {
      if (!request.fields.amount)
        throw invalid('totalToPay: the request has no amount to compute it from');
      try {
        totalToPay = computeTotalToPay({
          amount: request.fields.amount,
          rate: input.rate,
          feePercent: input.feePercent,
          fixedFee: input.fixedFee,
        });
      } catch (error) {
        throw invalid(`cannot compute totalToPay: ${(error as Error).message}`);
      }
    }
    const ref = randomUUID();
    if (request.status === 'CANCELLED')
      throw invalid('the request was cancelled on the platform: there is nothing to compute');
    const parsed = OnecOfferBody.safeParse({
      Ref_Key: ref,
      version: request.version,
      rate: input.rate,
      feePercent: input.feePercent,
      fixedFee: input.fixedFee,
      totalToPay,
      settlementDays:
        typeof input.settlementDays === 'string'
          ? Number(input.settlementDays)
          : input.settlementDays,
      validUntil: input.validUntil ? this.onecDateTimeOf(input.validUntil, 'validUntil') : null,
      comment: input.comment?.trim() ? input.comment : null,
    });
    if (!parsed.success) throw invalid(`offer: ${issuesOf(parsed.error)}`);
    const body = parsed.data;
    const offer: StoredOffer = {
      ref,
      requestRef: request.ref,
      date: this.nowLocal(),
      rate: body.rate,
      feePercent: body.feePercent,
      fixedFee: body.fixedFee,
      totalToPay: body.totalToPay,
      settlementDays: body.settlementDays,
      validUntil: body.validUntil ?? null,
      comment: body.comment ?? null,
      basedOnVersion: body.version,
      refusal: null,
      deliveryId: null,
      platformOfferId: null,
    };
    this.store.addOffer(offer);
    const delivery = this.enqueueFor('offer', request, body, offer);
    return { offer, delivery: await this.settle(delivery, options) };
  }

  /** Applies a status or payment-status change (with the operator's comment, if any) and posts it. */
  private async postStatus(
    request: StoredRequest,
    change: Pick<OnecStatusBody, 'status'> | Pick<OnecStatusBody, 'paymentStatus'>,
    comment: string | null | undefined,
    options?: ActionOptions,
  ): Promise<{ request: StoredRequest; delivery: DeliveryView }> {
    this.requirePlatform();
    const parsed = OnecStatusBody.safeParse({
      ...change,
      ...(comment ? { comment } : {}),
      version: request.version,
    });
    if (!parsed.success) throw invalid(`status: ${issuesOf(parsed.error)}`);
    const before = { status: request.status, paymentStatus: request.paymentStatus };
    this.store.update(request, {
      ...(parsed.data.status ? { status: parsed.data.status } : {}),
      ...(parsed.data.paymentStatus ? { paymentStatus: parsed.data.paymentStatus } : {}),
      updatedAt: this.config.now().toISOString(),
    });
    const delivery = this.enqueueFor('status', request, parsed.data);
    this.statusBefore.set(delivery.id, before);
    return { request, delivery: await this.settle(delivery, options) };
  }

  /** Sets the request status (IN_PROGRESS, COMPLETED, CANCELLED) and posts it. */
  async setStatus(
    refOrPlatformId: string,
    status: string,
    comment?: string | null,
    options?: ActionOptions,
  ) {
    const request = this.requireRequest(refOrPlatformId);
    const parsed = oneOf(OnecSettableStatus, status, 'status: 1C sets only');
    return this.postStatus(request, { status: parsed }, comment, options);
  }

  /** Sets the payment status (TEST_PAYMENT_CONFIRMED, PAYMENT_RECEIVED, PAYOUT_DONE, ...) and posts it. */
  async setPaymentStatus(
    refOrPlatformId: string,
    paymentStatus: string,
    comment?: string | null,
    options?: ActionOptions,
  ) {
    const request = this.requireRequest(refOrPlatformId);
    const parsed = oneOf(PaymentStatus, paymentStatus, 'paymentStatus: one of');
    return this.postStatus(request, { paymentStatus: parsed }, comment, options);
  }

  /** Generates a PDF document (kept in the infobase) without sending it. */
  async createDocument(
    refOrPlatformId: string,
    kind: string,
    documentRequestId: string | null = null,
  ): Promise<StoredDocument> {
    const request = this.requireRequest(refOrPlatformId);
    const documentKind = oneOf(DocumentKind, kind, 'kind: one of');
    const offers = this.store.offersOf(request.ref);
    const offer = offers.find((o) => o.platformOfferId) ?? offers.at(-1) ?? null;
    const number = `${documentPrefixes[documentKind]}-${String(this.store.nextNumber(documentKind)).padStart(6, '0')}`;
    const date = this.nowLocal();
    const layout = buildDocumentLayout({
      kind: documentKind,
      number,
      date,
      bank: this.config.bank,
      request: {
        number: request.number,
        displayNumber: request.displayNumber,
        fields: request.fields,
        agentName: request.agent?.name ?? null,
      },
      offer,
    });
    const bytes = await renderPdf(layout, { date, author: this.config.bank.name });
    const document: StoredDocument = {
      ref: randomUUID(),
      requestRef: request.ref,
      kind: documentKind,
      number,
      date,
      fileName: documentFileName(documentKind, number),
      mime: 'application/pdf',
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      documentRequestId: documentRequestId ? documentRequestId.toLowerCase() : null,
      contentBase64: Buffer.from(bytes).toString('base64'),
      deliveryId: null,
      platformDocumentId: null,
    };
    this.store.addDocument(document);
    return document;
  }

  /** Posts a generated document to the platform. */
  async sendDocument(
    documentRef: string,
    options?: ActionOptions,
  ): Promise<{ document: DocumentView; delivery: DeliveryView }> {
    const document = this.store.findDocument(documentRef);
    if (!document) throw new EmulatorError(404, 'NOT_FOUND', `No document ${documentRef}`);
    const request = this.requireRequest(document.requestRef);
    const body = OnecDocumentBody.parse({
      Ref_Key: document.ref,
      kind: document.kind,
      fileName: document.fileName,
      mime: document.mime,
      contentBase64: document.contentBase64,
      documentRequestId: document.documentRequestId,
      number: document.number,
      date: document.date,
    });
    const delivery = this.enqueueFor('document', request, body, document);
    return { document: documentView(document), delivery: await this.settle(delivery, options) };
  }

  /** Generates a document and posts it to the platform. */
  async generateDocument(
    refOrPlatformId: string,
    kind: string,
    options?: ActionOptions & { documentRequestId?: string | null },
  ): Promise<{ document: DocumentView; delivery: DeliveryView }> {
    this.requirePlatform();
    const document = await this.createDocument(
      refOrPlatformId,
      kind,
      options?.documentRequestId ?? null,
    );
    return this.sendDocument(document.ref, options);
  }

  /** Generates and posts the document a queued job (from the platform) asks for. */
  async fulfilJob(
    jobRef: string,
    options?: ActionOptions,
  ): Promise<{ job: StoredJob; delivery: DeliveryView | null }> {
    const job = this.store.findJob(jobRef);
    if (!job) throw new EmulatorError(404, 'NOT_FOUND', `No document job ${jobRef}`);
    if (job.state === 'SENT') return { job, delivery: null };
    try {
      let documentRef = job.documentRef;
      if (!documentRef) {
        const document = await this.createDocument(job.requestRef, job.kind, job.documentRequestId);
        documentRef = document.ref;
        this.store.update(job, {
          state: 'GENERATED',
          documentRef,
          error: null,
          updatedAt: this.config.now().toISOString(),
        });
      }
      const { delivery } = await this.sendDocument(documentRef, options);
      return { job, delivery };
    } catch (error) {
      this.store.update(job, {
        state: 'FAILED',
        error: (error as Error).message,
        updatedAt: this.config.now().toISOString(),
      });
      throw error;
    }
  }

  /** Reads the request from the platform (`GET /onec/v1/requests/{id}`) and refreshes the fields. */
  async fetchPlatformRequest(refOrPlatformId: string): Promise<OnecRequestView> {
    const request = this.requireRequest(refOrPlatformId);
    const { status, body } = await this.link.get(`/onec/v1/requests/${request.platformId}`);
    if (status !== 200) {
      throw new EmulatorError(
        502,
        'PLATFORM_ERROR',
        `The platform answered ${status}: ${JSON.stringify(body).slice(0, 300)}`,
      );
    }
    const view = OnecRequestView.safeParse(body);
    if (!view.success)
      throw new EmulatorError(
        502,
        'PLATFORM_PROTOCOL',
        `Unexpected answer: ${issuesOf(view.error)}`,
      );
    this.store.update(request, {
      fields: view.data.fields,
      status: view.data.status,
      paymentStatus: view.data.paymentStatus,
      version: view.data.version,
      updatedAt: this.config.now().toISOString(),
    });
    return view.data;
  }

  /** Sends the failed calls again (same idempotency key and body). */
  async retryFailed(): Promise<DeliveryView[]> {
    const settled = await Promise.all(this.link.resume(true));
    return settled.map(deliveryView);
  }

  /** Resolves when no generation or call to the platform is under way or scheduled. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.timers.size > 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      if (this.generating.size > 0) {
        await Promise.allSettled([...this.generating]);
        continue;
      }
      await this.link.idle();
      if (this.timers.size === 0 && this.generating.size === 0) return;
    }
  }

  /** Called by the delivery engine when a call settles. */
  onDelivered(delivery: Delivery): void {
    const at = this.config.now().toISOString();
    const request = this.store.requests.find((r) => r.ref === delivery.requestRef);
    if (delivery.operation === 'offer' && delivery.objectRef) {
      const offer = this.store.findOffer(delivery.objectRef);
      const result = OnecOfferResult.safeParse(delivery.response);
      if (delivery.state === 'DELIVERED' && offer && result.success) {
        this.store.update(offer, { platformOfferId: result.data.offerId });
        if (request)
          this.store.update(request, {
            status: result.data.status,
            version: Math.max(request.version, result.data.version),
            updatedAt: at,
          });
      }
      // The operator sees why the platform refused it (a calculation on fields changed since).
      if (delivery.state === 'FAILED' && offer) {
        this.store.update(offer, { refusal: refusalOf(delivery) });
      }
    }
    if (delivery.operation === 'status' && delivery.state === 'DELIVERED' && request) {
      this.statusBefore.delete(delivery.id);
      const result = OnecStatusResult.safeParse(delivery.response);
      if (result.success) {
        this.store.update(request, {
          status: result.data.status,
          paymentStatus: result.data.paymentStatus,
          version: Math.max(request.version, result.data.version),
          statusRefusal: null,
          updatedAt: at,
        });
      }
    }
    // Refused: the platform kept its status, so 1C shows the one it had, and the operator why.
    if (delivery.operation === 'status' && delivery.state === 'FAILED' && request) {
      const before = this.statusBefore.get(delivery.id);
      this.statusBefore.delete(delivery.id);
      this.store.update(request, {
        ...(before ?? {}),
        statusRefusal: refusalOf(delivery),
        updatedAt: at,
      });
    }
    if (delivery.operation === 'document' && delivery.objectRef) {
      const document = this.store.findDocument(delivery.objectRef);
      const result = delivery.response as Partial<OnecDocumentResult> | null;
      if (document && delivery.state === 'DELIVERED' && typeof result?.documentId === 'string') {
        this.store.update(document, { platformDocumentId: result.documentId });
      }
      const job = this.store.jobs.find((j) => j.documentRef === delivery.objectRef);
      if (job) {
        this.store.update(job, {
          state:
            delivery.state === 'DELIVERED'
              ? 'SENT'
              : delivery.state === 'FAILED'
                ? 'FAILED'
                : job.state,
          error: delivery.state === 'FAILED' ? delivery.lastError : null,
          updatedAt: at,
        });
      }
    }
  }

  /** After a restart: resume queued jobs and unsent calls. */
  resume(): void {
    this.stopped = false;
    if (this.config.autoGenerate) {
      for (const job of this.store.jobs) if (job.state === 'QUEUED') this.scheduleJob(job);
    }
    for (const pending of this.link.resume(false)) pending.catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Date helper for callers: a 1C date-time of this infobase as a Date (null for the empty date). */
  dateOf(onecDateTime: string): Date | null {
    return fromOnecDateTime(onecDateTime, this.config.timeZone);
  }
}
