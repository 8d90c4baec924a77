import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type {
  DocumentKind,
  HistoryActor,
  PaymentRequestFields,
  PaymentStatus,
  RequestStatus,
} from '@payreq/contracts';
import type { OnecAgent, OnecDocumentJobState, OnecRequestChange } from '@payreq/onec';

/** A payment request as the emulated 1C keeps it (document "ЗаявкаНаПлатеж"). */
export interface StoredRequest {
  ref: string;
  /** 1C number, e.g. "ЗП00-000001". */
  number: string;
  /** 1C date of registration (local, no zone). */
  date: string;
  platformId: string;
  platformNumber: number;
  displayNumber: string;
  fields: PaymentRequestFields;
  agent: OnecAgent | null;
  createdAt: string;
  status: RequestStatus;
  paymentStatus: PaymentStatus;
  /** The newest version of the request 1C holds: named in its offer and status posts. */
  version: number;
  /** Who cancelled it on the platform, when they did. */
  cancelledBy: HistoryActor | null;
  /** Documents added on the platform (1C holds what they are, not the files). */
  platformDocuments: Extract<OnecRequestChange, { type: 'document' }>[];
  /** Why the platform refused 1C's last status post, for the operator (null once one is taken). */
  statusRefusal?: string | null;
  receivedAt: string;
  updatedAt: string;
}

/** An update from the platform, as 1C's change log keeps it (one per updateId). */
export interface StoredUpdate {
  updateId: string;
  requestRef: string;
  version: number;
  /** 1C local time of the change. */
  at: string;
  by: HistoryActor;
  comment: string | null;
  changes: OnecRequestChange[];
  receivedAt: string;
  /** How many times the platform delivered it (a redelivery is answered, not applied again). */
  deliveries: number;
}

/** A calculation document: one per computed offer. */
export interface StoredOffer {
  ref: string;
  requestRef: string;
  date: string;
  rate: string;
  feePercent: string;
  fixedFee: string;
  totalToPay: string;
  settlementDays: number;
  validUntil: string | null;
  comment: string | null;
  /** The request's version the calculation was made on. */
  basedOnVersion: number;
  /** Why the platform refused it (its words), e.g. computed on fields changed since. */
  refusal: string | null;
  deliveryId: string | null;
  platformOfferId: string | null;
}

export interface StoredDocument {
  ref: string;
  requestRef: string;
  kind: DocumentKind;
  number: string;
  date: string;
  fileName: string;
  mime: string;
  size: number;
  sha256: string;
  documentRequestId: string | null;
  contentBase64: string;
  deliveryId: string | null;
  platformDocumentId: string | null;
}

/** A document-generation request received from the platform. */
export interface StoredJob {
  ref: string;
  requestRef: string;
  kind: DocumentKind;
  documentRequestId: string;
  state: OnecDocumentJobState;
  documentRef: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryOperation = 'offer' | 'status' | 'document';
export type DeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One logical call to the platform (with its retries): like a 1C exchange queue record. */
export interface Delivery {
  id: string;
  operation: DeliveryOperation;
  requestRef: string;
  /** The object the call is about (calculation, document) or null for a status change. */
  objectRef: string | null;
  method: 'POST';
  /** Below the platform URL, e.g. `/onec/v1/requests/{id}/offer`. */
  path: string;
  idempotencyKey: string;
  /** The exact body, sent byte for byte on every attempt. */
  rawBody: string;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  response: unknown;
  createdAt: string;
  updatedAt: string;
}

/** One HTTP exchange with the platform (every attempt is one record). */
export interface CallRecord {
  id: string;
  deliveryId: string | null;
  attempt: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  startedAt: string;
  durationMs: number;
  status: number | null;
  responseBody: string | null;
  error: string | null;
}

interface State {
  version: 1;
  counters: Record<string, number>;
  requests: StoredRequest[];
  offers: StoredOffer[];
  documents: StoredDocument[];
  jobs: StoredJob[];
  deliveries: Delivery[];
  updates: StoredUpdate[];
}

const emptyState = (): State => ({
  version: 1,
  counters: {},
  requests: [],
  offers: [],
  documents: [],
  jobs: [],
  deliveries: [],
  updates: [],
});

const MAX_CALLS = 2000;

/** In-memory state of the emulated infobase, optionally kept in a JSON file. */
export class EmulatorStore {
  private state: State = emptyState();
  /** HTTP exchanges with the platform, newest last (memory only). */
  readonly calls: CallRecord[] = [];
  /** Why the last write of the data file failed; null once one succeeds (for /healthz). */
  saveError: string | null = null;

  constructor(private readonly dataFile: string | null) {
    if (dataFile) this.load(dataFile);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const data = JSON.parse(text) as Partial<State>;
    this.state = { ...emptyState(), ...data, version: 1 };
    // Files written before the change log: what their requests lack is filled in.
    for (const request of this.state.requests) {
      request.version ??= 1;
      request.cancelledBy ??= null;
      request.platformDocuments ??= [];
    }
  }

  /** Writes the state to the data file (atomically), if one is configured. */
  save(): void {
    if (!this.dataFile) return;
    try {
      mkdirSync(path.dirname(this.dataFile), { recursive: true });
      const temp = `${this.dataFile}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(this.state, null, 1));
      renameSync(temp, this.dataFile);
      this.saveError = null;
    } catch (error) {
      this.saveError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** The data file, or null when the state is kept in memory only. */
  get file(): string | null {
    return this.dataFile;
  }

  reset(): void {
    this.state = emptyState();
    this.calls.length = 0;
    if (this.dataFile) rmSync(this.dataFile, { force: true });
  }

  /** The next number of a counter ("request", "INVOICE", ...). */
  nextNumber(counter: string): number {
    const next = (this.state.counters[counter] ?? 0) + 1;
    this.state.counters[counter] = next;
    return next;
  }

  get requests(): readonly StoredRequest[] {
    return this.state.requests;
  }
  get offers(): readonly StoredOffer[] {
    return this.state.offers;
  }
  get documents(): readonly StoredDocument[] {
    return this.state.documents;
  }
  get jobs(): readonly StoredJob[] {
    return this.state.jobs;
  }
  get deliveries(): readonly Delivery[] {
    return this.state.deliveries;
  }
  get updates(): readonly StoredUpdate[] {
    return this.state.updates;
  }

  addRequest(request: StoredRequest): void {
    this.append('requests', request);
  }
  addOffer(offer: StoredOffer): void {
    this.append('offers', offer);
  }
  addDocument(document: StoredDocument): void {
    this.append('documents', document);
  }
  addJob(job: StoredJob): void {
    this.append('jobs', job);
  }
  addUpdate(update: StoredUpdate): void {
    this.append('updates', update);
  }
  findUpdate(updateId: string): StoredUpdate | undefined {
    return this.state.updates.find((u) => u.updateId === updateId.toLowerCase());
  }
  /** The change log of a request, in the order 1C applied it. */
  updatesOf(requestRef: string): StoredUpdate[] {
    return this.state.updates.filter((u) => u.requestRef === requestRef);
  }
  addDelivery(delivery: Delivery): void {
    this.append('deliveries', delivery);
  }

  /** A new record of one kind, saved at once (the infobase survives a restart). */
  private append<Kind extends Exclude<keyof State, 'version' | 'counters'>>(
    kind: Kind,
    record: State[Kind][number],
  ): void {
    (this.state[kind] as Array<State[Kind][number]>).push(record);
    this.save();
  }

  /** By 1C ref (GUID) or by the platform's id. */
  findRequest(refOrPlatformId: string): StoredRequest | undefined {
    const key = refOrPlatformId.trim().toLowerCase();
    return (
      this.state.requests.find((r) => r.ref === key) ??
      this.state.requests.find((r) => r.platformId === key)
    );
  }
  findRequestByPlatformId(platformId: string): StoredRequest | undefined {
    const key = platformId.toLowerCase();
    return this.state.requests.find((r) => r.platformId === key);
  }
  findJob(ref: string): StoredJob | undefined {
    return this.state.jobs.find((j) => j.ref === ref.toLowerCase());
  }
  findJobByDocumentRequestId(documentRequestId: string): StoredJob | undefined {
    return this.state.jobs.find((j) => j.documentRequestId === documentRequestId.toLowerCase());
  }
  findDocument(ref: string): StoredDocument | undefined {
    return this.state.documents.find((d) => d.ref === ref.toLowerCase());
  }
  findOffer(ref: string): StoredOffer | undefined {
    return this.state.offers.find((o) => o.ref === ref.toLowerCase());
  }
  findDelivery(id: string): Delivery | undefined {
    return this.state.deliveries.find((d) => d.id === id);
  }
  offersOf(requestRef: string): StoredOffer[] {
    return this.state.offers.filter((o) => o.requestRef === requestRef);
  }
  documentsOf(requestRef: string): StoredDocument[] {
    return this.state.documents.filter((d) => d.requestRef === requestRef);
  }
  jobsOf(requestRef: string): StoredJob[] {
    return this.state.jobs.filter((j) => j.requestRef === requestRef);
  }
  deliveriesOf(requestRef: string): Delivery[] {
    return this.state.deliveries.filter((d) => d.requestRef === requestRef);
  }

  /** Applies a change to a stored object and saves. */
  update<T extends object>(target: T, patch: Partial<T>): T {
    Object.assign(target, patch);
    this.save();
    return target;
  }

  recordCall(call: Omit<CallRecord, 'id'>): CallRecord {
    const record = { id: randomUUID(), ...call };
    this.calls.push(record);
    if (this.calls.length > MAX_CALLS) this.calls.splice(0, this.calls.length - MAX_CALLS);
    return record;
  }
}
