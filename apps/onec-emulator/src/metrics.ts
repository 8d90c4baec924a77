import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { EmulatorStore } from './store';

/** GUIDs and UUIDs in a path become `:id`, so a route is one label value, not one per request. */
const ID_SEGMENT = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi;

export function routeOfPath(path: string): string {
  return path.split('?')[0]!.replace(ID_SEGMENT, '/:id');
}

/** What a call to the platform came to. */
export function outcomeOf(status: number | null): 'ok' | 'refused' | 'error' | 'no_answer' {
  if (status === null) return 'no_answer';
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 500) return 'error';
  return 'refused';
}

/**
 * The emulator's Prometheus metrics (`service="onec-emulator"`): the process's own, the calls
 * it serves (by route and status), the calls it makes to the platform (by route and outcome),
 * faults injected, and — read from the store at scrape time — requests and deliveries.
 */
export class EmulatorMetrics {
  readonly registry = new Registry();
  private readonly served: Counter<'method' | 'route' | 'status'>;
  private readonly platformCalls: Counter<'method' | 'route' | 'outcome'>;
  private readonly faults: Counter<'mode'>;

  constructor(store: EmulatorStore) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service: 'onec-emulator' });
    collectDefaultMetrics({ register: this.registry });
    this.served = new Counter({
      name: 'onec_emulator_http_requests_total',
      help: 'HTTP calls the emulator answered (1C service, operator console, test control), by route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.platformCalls = new Counter({
      name: 'onec_emulator_platform_calls_total',
      help: 'Calls the emulated 1C made to the platform (every attempt), by route and outcome: ok (2xx), refused (4xx), error (5xx), no_answer.',
      labelNames: ['method', 'route', 'outcome'],
      registers,
    });
    this.faults = new Counter({
      name: 'onec_emulator_faults_injected_total',
      help: 'Service calls answered by an injected fault, by fault mode.',
      labelNames: ['mode'],
      registers,
    });
    const requests: Gauge = new Gauge({
      name: 'onec_emulator_requests',
      help: 'Payment requests held by the emulated 1C.',
      registers,
      collect: () => requests.set(store.requests.length),
    });
    const deliveries: Gauge<'state'> = new Gauge({
      name: 'onec_emulator_deliveries',
      help: 'Logical calls to the platform by state (FAILED ones wait for an operator to retry).',
      labelNames: ['state'],
      registers,
      collect: () => {
        const counts = { PENDING: 0, DELIVERED: 0, FAILED: 0 } as Record<string, number>;
        for (const delivery of store.deliveries)
          counts[delivery.state] = (counts[delivery.state] ?? 0) + 1;
        for (const [state, count] of Object.entries(counts)) deliveries.set({ state }, count);
      },
    });
  }

  requestServed(method: string, route: string | undefined, status: number): void {
    this.served.inc({ method, route: route ?? 'unmatched', status: String(status) });
  }

  platformCall(method: string, url: string, status: number | null): void {
    let path = url;
    try {
      path = new URL(url).pathname;
    } catch {
      // keep what was given
    }
    this.platformCalls.inc({ method, route: routeOfPath(path), outcome: outcomeOf(status) });
  }

  faultInjected(mode: string): void {
    this.faults.inc({ mode });
  }
}
