import type { AddressInfo } from 'node:net';

import type { FastifyInstance } from 'fastify';

import { resolveConfig } from './config';
import type { EmulatorConfig, ResolvedEmulatorConfig } from './config';
import { Faults } from './faults';
import type { FaultInput, FaultState } from './faults';
import { EmulatorMetrics } from './metrics';
import { Operator } from './operator';
import { PlatformLink } from './platform';
import { buildServer } from './server';
import { EmulatorStore } from './store';

export interface Emulator {
  readonly config: ResolvedEmulatorConfig;
  readonly store: EmulatorStore;
  readonly operator: Operator;
  readonly faults: Faults;
  /** Prometheus metrics, served at `/metrics`. */
  readonly metrics: EmulatorMetrics;
  /** `http://host:port{basePath}`: what the 1C client takes as `baseUrl`. Empty before start. */
  readonly baseUrl: string;
  /** `http://host:port`: where `/__emulator/...` lives. Empty before start. */
  readonly origin: string;
  /** Listens (port 0 = any free port) and resolves with the base URL. */
  start(port?: number): Promise<string>;
  /** Stops listening, cancels timers and retries; unsent calls stay queued in the store. */
  stop(): Promise<void>;
  setFault(fault: FaultInput): FaultState;
  /** Forgets everything (and deletes the data file). */
  reset(): void;
}

/** The 1C emulator: the bank's 1C HTTP service, its operator, and its calls to the platform. */
export function createEmulator(input: EmulatorConfig): Emulator {
  const config = resolveConfig(input);
  const store = new EmulatorStore(config.dataFile);
  const faults = new Faults();
  const metrics = new EmulatorMetrics(store);
  let origin = '';
  let app: FastifyInstance | null = null;
  let operator: Operator | null = null;
  const link = new PlatformLink(
    config.platform,
    store,
    config.now,
    (delivery) => operator?.onDelivered(delivery),
    metrics,
  );
  operator = new Operator(config, store, link, () => `${origin}${config.basePath}`);
  const theOperator = operator;

  const reset = () => {
    theOperator.stop();
    store.reset();
    faults.set({ mode: 'off' });
    theOperator.resume();
  };

  return {
    config,
    store,
    operator: theOperator,
    faults,
    metrics,
    get baseUrl() {
      return origin ? `${origin}${config.basePath}` : '';
    },
    get origin() {
      return origin;
    },
    async start(port = config.port) {
      if (app) throw new Error('The emulator is already started');
      const server = buildServer({ config, store, operator: theOperator, faults, metrics, reset });
      await server.listen({ host: config.host, port });
      app = server;
      const address = server.server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      link.reopen();
      theOperator.resume();
      return `${origin}${config.basePath}`;
    },
    async stop() {
      theOperator.stop();
      link.stop();
      faults.stop();
      const server = app;
      app = null;
      if (server) await server.close();
      store.save();
    },
    setFault(fault) {
      return faults.set(fault);
    },
    reset,
  };
}

export { resolveConfig, EmulatorError, defaultBank } from './config';
export type { BankDetails, EmulatorConfig, PlatformConfig, ResolvedEmulatorConfig } from './config';
export { FaultInput, Faults } from './faults';
export type { Fault, FaultState } from './faults';
export { EmulatorMetrics } from './metrics';
export { Operator } from './operator';
export type {
  ActionOptions,
  DeliveryView,
  DocumentView,
  OfferInput,
  RequestSummary,
  RequestView,
} from './operator';
export { EmulatorStore } from './store';
export type {
  CallRecord,
  Delivery,
  StoredDocument,
  StoredJob,
  StoredOffer,
  StoredRequest,
} from './store';
export { buildDocumentLayout, renderPdf, documentTitles } from './pdf';
export type { DocumentData, DocumentLayout } from './pdf';
export { computeTotalToPay } from './decimal';
