/**
 * Fault injection for Bot API calls: the next N calls (optionally of one method / one bot) are
 * answered with 429 + retry_after, 500, 502, hang for a while, or are processed but their
 * response is lost.
 */

export type FaultKind = 'rateLimit' | 'internalError' | 'badGateway' | 'hang' | 'dropResponse';

export interface FaultSpec {
  kind: FaultKind;
  /** Only calls of this method (case-insensitive); all methods when omitted. */
  method?: string;
  /** Only calls of this bot (token, id or username); all bots when omitted. */
  bot?: string | number;
  /** How many calls to affect. Default 1. */
  count?: number;
  /** rateLimit: seconds in `parameters.retry_after` and the description. Default 5. */
  retryAfter?: number;
  /** hang: how long to hold the request before handling it. Default 30 000 ms. */
  ms?: number;
  /** dropResponse: how the response is lost — connection reset (default) or a 500/502. */
  respondWith?: 'reset' | 500 | 502;
  /** badGateway: answer nginx's HTML page instead of a JSON body (Telegram's real 502). */
  html?: boolean;
}

export interface FaultHandle {
  id: number;
  spec: FaultSpec;
  remaining: number;
}

export interface FiredFault {
  faultId: number;
  kind: FaultKind;
  method: string;
  botId: number;
  at: Date;
  params: Record<string, unknown>;
  /** True when the call was executed (dropResponse; hang when the client waited). */
  processed: boolean;
  /** dropResponse: the result the bot never saw. */
  lostResult?: unknown;
  lostError?: { error_code: number; description: string };
}

export class FaultInjector {
  private nextId = 1;
  private readonly pending: Array<FaultHandle & { botId?: number }> = [];
  readonly fired: FiredFault[] = [];

  add(spec: FaultSpec, botId: number | undefined): FaultHandle {
    const handle = {
      id: this.nextId,
      spec: { ...spec },
      remaining: Math.max(1, spec.count ?? 1),
      ...(botId !== undefined ? { botId } : {}),
    };
    this.nextId += 1;
    this.pending.push(handle);
    return { id: handle.id, spec: handle.spec, remaining: handle.remaining };
  }

  /** Consumes one matching fault for a call, if any. */
  take(method: string, botId: number): FaultHandle | undefined {
    const index = this.pending.findIndex(
      (f) =>
        (f.spec.method === undefined || f.spec.method.toLowerCase() === method.toLowerCase()) &&
        (f.botId === undefined || f.botId === botId),
    );
    const fault = this.pending[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.pending.splice(index, 1);
    return { id: fault.id, spec: fault.spec, remaining: fault.remaining };
  }

  list(): FaultHandle[] {
    return this.pending.map((f) => ({ id: f.id, spec: { ...f.spec }, remaining: f.remaining }));
  }

  clear(): void {
    this.pending.length = 0;
  }

  record(entry: FiredFault): void {
    this.fired.push(entry);
  }
}

export const NGINX_502_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';
