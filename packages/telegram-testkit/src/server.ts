import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BotApi, Described, type BotApiOptions, type RateLimits } from './bot-api';
import { handleControl } from './control';
import { loginPage, loginRedirectUrl, loginRequestProblem, signLoginData } from './login';
import { BotApiError, WorldError, unauthorized } from './errors';
import {
  FaultInjector,
  NGINX_502_HTML,
  type FaultHandle,
  type FaultKind,
  type FaultSpec,
  type FiredFault,
} from './faults';
import { ApiParams, BodyTooLargeError, MAX_UPLOAD_BYTES, parseParams, readBody } from './params';
import { WorldState, type BotState, type StateOptions } from './state';
import { WebhookDispatcher, type WebhookDelivery, type WebhookOptions } from './webhook';
import { TelegramWorld, type BotRef, type CreateBotInput, type BotWaitOptions } from './world';

export interface TelegramTestServerOptions extends StateOptions, BotApiOptions {
  /** Bots to create up front. */
  bots?: CreateBotInput[];
  webhook?: WebhookOptions;
  /** Print each Bot API call to stderr. */
  verbose?: boolean;
  /** The built web stand-in served at /web/ (default: this package's dist/web, from `pnpm build`). */
  webDir?: string;
}

/** Where `vite build` puts the web stand-in (see vite.config.ts). */
export const DEFAULT_WEB_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../dist/web',
);

const WEB_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface CallRecord {
  seq: number;
  at: Date;
  bot?: { id: number; username: string };
  /** Canonical method name (as written in the Bot API docs), or the raw name if unknown. */
  method: string;
  params: Record<string, unknown>;
  httpStatus: number;
  ok: boolean;
  result?: unknown;
  description?: string;
  fault?: FaultKind;
  via: 'http' | 'webhook-reply';
  durationMs: number;
}

export interface CallFilter {
  method?: string;
  bot?: BotRef;
  /** Only calls with seq greater than this. */
  afterSeq?: number;
}

interface Outcome {
  status: number;
  body: unknown;
}

/**
 * A real HTTP Telegram Bot API test server over the simulated world (the TelegramWorld API is
 * available on the instance). Point a bot at `server.url` as its API root.
 */
export class TelegramTestServer extends TelegramWorld {
  private api: BotApi;
  private dispatcher: WebhookDispatcher;
  private readonly faultsInjector = new FaultInjector();
  private readonly callLog: CallRecord[] = [];
  private readonly hangTimers = new Set<() => void>();
  private httpServer: Server | undefined;
  private baseUrl: string | undefined;
  private seq = 0;
  private detachState: () => void = () => undefined;
  private readonly changeWaiters = new Set<() => void>();

  constructor(private readonly options: TelegramTestServerOptions = {}) {
    super(options);
    this.api = new BotApi(this.state, options);
    this.dispatcher = this.createDispatcher();
    for (const bot of options.bots ?? []) this.createBot(bot);
  }

  /** Starts listening; resolves with the base URL (use it as the bot's apiRoot). Port 0 = random. */
  async start(options: { port?: number; host?: string } = {}): Promise<string> {
    if (this.httpServer) throw new Error('server already started');
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('[telegram-testkit] request failed', error);
        if (!res.headersSent)
          this.writeJson(res, 500, {
            ok: false,
            error_code: 500,
            description: 'Internal Server Error',
          });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.httpServer = server;
    const address = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    this.baseUrl = `http://${shownHost}:${address.port}`;
    return this.baseUrl;
  }

  /** Stops the server: ends long polls, webhook deliveries, hanging requests and connections. */
  async stop(): Promise<void> {
    this.dispatcher.stop();
    this.api.cancelPolls();
    for (const wake of this.hangTimers) wake();
    this.hangTimers.clear();
    for (const wake of this.changeWaiters) wake();
    this.detachState();
    const server = this.httpServer;
    this.httpServer = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Base URL, e.g. http://127.0.0.1:43123 — the bot's `apiRoot`. */
  get url(): string {
    if (!this.baseUrl) throw new Error('server not started');
    return this.baseUrl;
  }

  /** Download URL of a file path returned by getFile. */
  fileUrl(bot: BotRef, filePath: string): string {
    return `${this.url}/file/bot${this.state.findBot(bot).token}/${filePath}`;
  }

  /** Drops the whole world (users, chats, files, updates, logs); keeps the bots unless told otherwise. */
  reset(options: { keepBots?: boolean } = {}): void {
    const bots = options.keepBots === false ? [] : [...this.state.bots.values()];
    this.dispatcher.stop();
    this.api.cancelPolls();
    this.detachState();
    const old = this.state;
    const fresh = new WorldState(this.options);
    this.state = fresh;
    // Whoever waits for a change of the old world sees the new one.
    old.events.emit('revision');
    this.api = new BotApi(fresh, this.options);
    this.dispatcher = this.createDispatcher();
    this.faultsInjector.clear();
    this.faultsInjector.fired.length = 0;
    this.callLog.length = 0;
    for (const bot of bots) {
      const input: CreateBotInput = {
        token: bot.token,
        first_name: bot.user.first_name,
        privacyMode: bot.privacyMode,
        canJoinGroups: bot.canJoinGroups,
      };
      if (bot.user.username !== undefined) input.username = bot.user.username;
      if (bot.mainMiniAppUrl !== undefined) input.mainMiniAppUrl = bot.mainMiniAppUrl;
      this.createBot(input);
      for (const [shortName, url] of bot.miniApps) this.setMiniApp(bot.token, { shortName, url });
    }
  }

  /**
   * Resolves with the world's revision once it differs from `after` (something happened: a
   * message, a member, an update), or with the same revision after `timeoutMs` — a long poll
   * for clients such as the web stand-in.
   */
  async waitForChange(after: number, timeoutMs = 25_000): Promise<number> {
    if (this.state.revision !== after) return this.state.revision;
    const events = this.state.events;
    await wakeable(timeoutMs, this.changeWaiters, (wake) => {
      events.on('revision', wake);
      return () => events.off('revision', wake);
    });
    return this.state.revision;
  }

  /** Telegram's sending limits, answered with 429 + retry_after when exceeded; null: none. */
  setRateLimits(limits: RateLimits | null): void {
    if (limits) this.options.rateLimits = limits;
    else delete this.options.rateLimits;
    this.api.setRateLimits(limits);
  }

  // ------------------------------------------------------------ faults and logs

  injectFault(spec: FaultSpec): FaultHandle {
    const botId = spec.bot !== undefined ? this.state.findBot(spec.bot).user.id : undefined;
    return this.faultsInjector.add(spec, botId);
  }

  clearFaults(): void {
    this.faultsInjector.clear();
  }

  /** Faults still waiting to fire, and those that fired (with lost results of dropResponse). */
  faults(): { pending: FaultHandle[]; fired: FiredFault[] } {
    return {
      pending: this.faultsInjector.list(),
      fired: this.faultsInjector.fired.map((f) => ({ ...f })),
    };
  }

  calls(filter: CallFilter = {}): CallRecord[] {
    const botId = filter.bot !== undefined ? this.state.findBot(filter.bot).user.id : undefined;
    return this.callLog.filter(
      (c) =>
        (filter.method === undefined || c.method.toLowerCase() === filter.method.toLowerCase()) &&
        (botId === undefined || c.bot?.id === botId) &&
        (filter.afterSeq === undefined || c.seq > filter.afterSeq),
    );
  }

  clearCalls(): void {
    this.callLog.length = 0;
  }

  async waitForCall(
    method: string,
    options: BotWaitOptions<CallRecord> & { afterSeq?: number } = {},
  ): Promise<CallRecord> {
    const predicate = options.predicate ?? (() => true);
    const filter: CallFilter = { method };
    if (options.bot !== undefined) filter.bot = options.bot;
    if (options.afterSeq !== undefined) filter.afterSeq = options.afterSeq;
    return this.waitFor(
      () => this.calls(filter).find(predicate),
      ['call'],
      options.timeoutMs ?? 5000,
      `a ${method} call`,
    );
  }

  /** Resolves once the bot has a getUpdates long poll waiting (i.e. it is listening). */
  async waitForPolling(bot: BotRef, options: { timeoutMs?: number } = {}): Promise<void> {
    const state = this.state.findBot(bot);
    await this.waitFor(
      () => (this.api.isPolling(state.token) ? true : undefined),
      ['poll-start'],
      options.timeoutMs ?? 5000,
      `bot ${state.user.username} to poll`,
    );
  }

  webhookDeliveries(bot?: BotRef): WebhookDelivery[] {
    const botId = bot !== undefined ? this.state.findBot(bot).user.id : undefined;
    return this.dispatcher.deliveries
      .filter((d) => botId === undefined || d.botId === botId)
      .map((d) => ({ ...d }));
  }

  /** Resolves once the bot has confirmed all its updates (getUpdates offset or webhook 2xx). */
  async waitForUpdatesConsumed(bot: BotRef, options: { timeoutMs?: number } = {}): Promise<void> {
    const state = this.state.findBot(bot);
    await this.waitFor(
      () => (state.queue.length === 0 ? true : undefined),
      ['confirmed', 'update'],
      options.timeoutMs ?? 5000,
      'the bot to confirm its updates',
    );
  }

  /** Runs one Bot API call in-process (as the bot would over HTTP; logged with via 'http'). */
  async callApi(
    bot: BotRef,
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<unknown> {
    const state = this.state.findBot(bot);
    const outcome = await this.execute(
      state,
      method,
      new ApiParams(params),
      new AbortController().signal,
      'http',
    );
    const body = outcome.body as {
      ok: boolean;
      result?: unknown;
      error_code?: number;
      description?: string;
      parameters?: object;
    };
    if (!body.ok)
      throw new BotApiError(
        body.error_code ?? outcome.status,
        body.description ?? '',
        body.parameters,
      );
    return body.result;
  }

  // ------------------------------------------------------------ HTTP

  private createDispatcher(): WebhookDispatcher {
    const dispatcher = new WebhookDispatcher(
      this.state,
      async (bot, method, params, form) => {
        const files = new Map<string, { fileName: string; bytes: Buffer }>();
        if (form) {
          for (const [key, value] of form) {
            if (typeof value !== 'string')
              files.set(key, {
                fileName: value.name,
                bytes: Buffer.from(await value.arrayBuffer()),
              });
          }
        }
        await this.execute(
          bot,
          method,
          new ApiParams(params, files),
          new AbortController().signal,
          'webhook-reply',
        );
      },
      this.options.webhook,
    );
    const onUpdate = (bot: BotState): void => {
      if (bot.webhook) dispatcher.kick(bot);
    };
    this.state.events.on('update', onUpdate);
    this.state.events.on('webhook', onUpdate);
    this.detachState = () => {
      this.state.events.off('update', onUpdate);
      this.state.events.off('webhook', onUpdate);
    };
    return dispatcher;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    // For a container's health check (the staging stand-in): up means answering.
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/__control' || path.startsWith('/__control/')) {
      await this.handleControlRequest(req, res, url);
      return;
    }
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (file) {
      this.handleFileDownload(
        res,
        decodeURIComponent(file[1] ?? ''),
        decodeURIComponent(file[2] ?? ''),
      );
      return;
    }
    const call = /^\/bot([^/]+)\/([^/]*)$/.exec(path);
    if (call) {
      await this.handleBotApi(req, res, url, decodeURIComponent(call[1] ?? ''), call[2] ?? '');
      return;
    }
    if (path === '/auth') {
      await this.handleLogin(req, res, url);
      return;
    }
    await drain(req);
    if (path === '/' || path === '/web') {
      res.writeHead(302, { location: `/web/${url.search}` }).end();
      return;
    }
    if (path.startsWith('/web/')) {
      await this.handleWeb(res, path.slice('/web/'.length));
      return;
    }
    this.writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
  }

  /**
   * Telegram's website login (oauth.telegram.org/auth): GET shows who may sign in, POST (the
   * person's choice) redirects to `return_to` with the login signed by the bot's token.
   */
  private async handleLogin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBodyOrEmpty(req);
    const params = url.searchParams;
    const botId = Number(params.get('bot_id'));
    const bot = Number.isSafeInteger(botId) ? this.state.botsById.get(botId) : undefined;
    const problem = loginRequestProblem(params, bot !== undefined);
    if (problem || !bot) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(problem);
      return;
    }
    const people = [...this.state.users.values()].filter((user) => !user.is_bot);
    if (req.method === 'POST') {
      const chosen = Number(new URLSearchParams(body.toString('utf8')).get('user_id'));
      const person = people.find((user) => user.id === chosen);
      if (!person) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('User invalid');
        return;
      }
      const data = signLoginData(person, bot.token, new Date());
      res.writeHead(302, { location: loginRedirectUrl(params.get('return_to')!, data) }).end();
      return;
    }
    const page = loginPage({
      botName: `@${bot.user.username ?? bot.user.first_name}`,
      origin: params.get('origin')!,
      people,
      query: url.search.slice(1),
    });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  }

  /** The web stand-in: its built page for /web/ and its assets (nothing outside its folder). */
  private async handleWeb(res: ServerResponse, file: string): Promise<void> {
    const dir = this.options.webDir ?? DEFAULT_WEB_DIR;
    const index = path.join(dir, 'index.html');
    if (!existsSync(index)) {
      const page =
        '<!doctype html><meta charset="utf-8"><title>Telegram stand-in</title>' +
        '<p>The web stand-in is not built: run <code>pnpm --filter @payreq/telegram-testkit build</code>.</p>';
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    const target = path.resolve(dir, file === '' ? 'index.html' : decodeURIComponent(file));
    const inside = target.startsWith(`${path.resolve(dir)}${path.sep}`);
    const found = inside && existsSync(target) && !target.endsWith(path.sep);
    if (!found && /\.[a-z0-9]+$/i.test(file)) {
      this.writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const chosen = found ? target : index;
    const body = await readFile(chosen).catch(() => undefined);
    if (!body) {
      this.writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, {
      'content-type': WEB_TYPES[path.extname(chosen).toLowerCase()] ?? 'application/octet-stream',
      'content-length': body.length,
      // Assets carry their hash in the name; the page itself is read afresh.
      'cache-control': chosen === index ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    res.end(body);
  }

  private handleFileDownload(res: ServerResponse, token: string, filePath: string): void {
    if (!this.state.bots.has(token)) {
      this.writeJson(res, 401, unauthorized().toJSON());
      return;
    }
    const file = this.state.filesByPath.get(filePath);
    if (!file?.bytes) {
      this.writeJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': file.bytes.length,
    });
    res.end(file.bytes);
  }

  private async handleBotApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    token: string,
    rawMethod: string,
  ): Promise<void> {
    const started = Date.now();
    const bot = this.state.bots.get(token);
    let params: ApiParams;
    try {
      const body = await readBodyOrEmpty(req);
      params = await parseParams(url.searchParams, req.headers['content-type'], body);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        this.writeJson(res, 413, {
          ok: false,
          error_code: 413,
          description: 'Request Entity Too Large',
        });
        req.destroy();
        return;
      }
      const apiError =
        error instanceof BotApiError ? error : new BotApiError(400, 'Bad Request: invalid request');
      this.writeJson(res, apiError.errorCode, apiError.toJSON());
      return;
    }
    if (!bot) {
      const body = unauthorized().toJSON();
      this.log({
        method: rawMethod,
        params: params.summary(),
        httpStatus: 401,
        body,
        via: 'http',
        started,
      });
      this.writeJson(res, 401, body);
      return;
    }
    const method = this.api.methodName(rawMethod) ?? rawMethod;
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });

    const fault = this.api.methodName(rawMethod)
      ? this.faultsInjector.take(method, bot.user.id)
      : undefined;
    if (fault) {
      const fired: FiredFault = {
        faultId: fault.id,
        kind: fault.spec.kind,
        method,
        botId: bot.user.id,
        at: new Date(),
        params: params.summary(),
        processed: false,
      };
      this.faultsInjector.record(fired);
      const immediate = this.immediateFault(fault.spec);
      if (immediate) {
        this.log({
          bot,
          method,
          params: params.summary(),
          httpStatus: immediate.status,
          body: immediate.body,
          via: 'http',
          started,
          fault: fault.spec.kind,
        });
        if (typeof immediate.body === 'string') {
          res.writeHead(immediate.status, {
            'content-type': 'text/html',
            'content-length': Buffer.byteLength(immediate.body),
          });
          res.end(immediate.body);
        } else {
          this.writeJson(res, immediate.status, immediate.body);
        }
        return;
      }
      if (fault.spec.kind === 'hang') {
        await this.hang(fault.spec.ms ?? 30_000, controller.signal);
        if (controller.signal.aborted || !this.httpServer) {
          this.log({
            bot,
            method,
            params: params.summary(),
            httpStatus: 499,
            body: { ok: false, description: 'client gave up (hang fault)' },
            via: 'http',
            started,
            fault: 'hang',
          });
          return;
        }
        fired.processed = true;
      }
      if (fault.spec.kind === 'dropResponse') {
        const outcome = await this.execute(bot, method, params, controller.signal, 'http', {
          started,
          fault: 'dropResponse',
        });
        fired.processed = true;
        const body = outcome.body as {
          ok: boolean;
          result?: unknown;
          error_code?: number;
          description?: string;
        };
        if (body.ok) fired.lostResult = body.result;
        else
          fired.lostError = {
            error_code: body.error_code ?? outcome.status,
            description: body.description ?? '',
          };
        const mode = fault.spec.respondWith ?? 'reset';
        if (mode === 'reset') {
          res.socket?.destroy();
          res.destroy();
        } else {
          this.writeJson(res, mode, {
            ok: false,
            error_code: mode,
            description: mode === 500 ? 'Internal Server Error' : 'Bad Gateway',
          });
        }
        return;
      }
    }

    const outcome = await this.execute(bot, method, params, controller.signal, 'http', {
      started,
      ...(fault ? { fault: fault.spec.kind } : {}),
    });
    if (outcome.status === 499) return;
    this.writeJson(res, outcome.status, outcome.body);
  }

  private immediateFault(spec: FaultSpec): Outcome | undefined {
    switch (spec.kind) {
      case 'rateLimit': {
        const retryAfter = spec.retryAfter ?? 5;
        return {
          status: 429,
          body: {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${retryAfter}`,
            parameters: { retry_after: retryAfter },
          },
        };
      }
      case 'internalError':
        return {
          status: 500,
          body: { ok: false, error_code: 500, description: 'Internal Server Error' },
        };
      case 'badGateway':
        return {
          status: 502,
          body: spec.html
            ? NGINX_502_HTML
            : { ok: false, error_code: 502, description: 'Bad Gateway' },
        };
      default:
        return undefined;
    }
  }

  private hang(ms: number, signal: AbortSignal): Promise<void> {
    return wakeable(ms, this.hangTimers, (wake) => {
      signal.addEventListener('abort', wake);
      return () => signal.removeEventListener('abort', wake);
    });
  }

  /** Executes one Bot API method and logs it. */
  private async execute(
    bot: BotState,
    method: string,
    params: ApiParams,
    signal: AbortSignal,
    via: CallRecord['via'],
    extra: { started?: number; fault?: FaultKind } = {},
  ): Promise<Outcome> {
    const started = extra.started ?? Date.now();
    const canonical = this.api.methodName(method) ?? method;
    let outcome: Outcome;
    try {
      const result = await this.api.call(canonical, { bot, params, signal });
      outcome =
        result instanceof Described
          ? {
              status: 200,
              body: { ok: true, result: result.result, description: result.description },
            }
          : { status: 200, body: { ok: true, result } };
    } catch (error) {
      if (error instanceof BotApiError) {
        outcome = { status: error.errorCode, body: error.toJSON() };
      } else if (error instanceof WorldError) {
        outcome = {
          status: 400,
          body: { ok: false, error_code: 400, description: `Bad Request: ${error.message}` },
        };
      } else {
        console.error(`[telegram-testkit] ${canonical} failed`, error);
        outcome = {
          status: 500,
          body: { ok: false, error_code: 500, description: 'Internal Server Error' },
        };
      }
    }
    this.log({
      bot,
      method: canonical,
      params: params.summary(),
      httpStatus: outcome.status,
      body: outcome.body,
      via,
      started,
      ...(extra.fault ? { fault: extra.fault } : {}),
    });
    return outcome;
  }

  private log(entry: {
    bot?: BotState;
    method: string;
    params: Record<string, unknown>;
    httpStatus: number;
    body: unknown;
    via: CallRecord['via'];
    started: number;
    fault?: FaultKind;
  }): void {
    this.seq += 1;
    const body = entry.body as { ok?: boolean; result?: unknown; description?: string };
    const record: CallRecord = {
      seq: this.seq,
      at: new Date(entry.started),
      method: entry.method,
      params: entry.params,
      httpStatus: entry.httpStatus,
      ok: body.ok === true,
      via: entry.via,
      durationMs: Date.now() - entry.started,
    };
    if (entry.bot) record.bot = { id: entry.bot.user.id, username: entry.bot.user.username ?? '' };
    if (body.ok === true && entry.method !== 'getUpdates') record.result = body.result;
    if (body.ok === true && entry.method === 'getUpdates')
      record.result = { count: Array.isArray(body.result) ? body.result.length : 0 };
    if (body.description !== undefined) record.description = body.description;
    if (entry.fault) record.fault = entry.fault;
    this.callLog.push(record);
    if (this.options.verbose) {
      console.error(
        `[telegram-testkit] ${record.bot?.username ?? '?'} ${record.method} -> ${record.httpStatus}${record.description ? ` ${record.description}` : ''}`,
      );
    }
    this.state.events.emit('call', record);
  }

  private async handleControlRequest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    let body: unknown;
    try {
      const raw = await readBodyOrEmpty(req);
      body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
    } catch {
      this.writeJson(res, 400, { ok: false, error: 'body must be JSON' });
      return;
    }
    const reply = await handleControl(this, req.method ?? 'GET', url, body);
    if (reply.raw) {
      res.writeHead(reply.status, {
        ...reply.headers,
        'content-type': reply.contentType ?? 'application/octet-stream',
        'content-length': reply.raw.length,
      });
      res.end(reply.raw);
      return;
    }
    this.writeJson(res, reply.status, reply.body);
  }

  private writeJson(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed || res.writableEnded) return;
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  }
}

async function readBodyOrEmpty(req: IncomingMessage): Promise<Buffer> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    await drain(req);
    return Buffer.alloc(0);
  }
  return readBody(req, MAX_UPLOAD_BYTES);
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // discard
  }
}

/**
 * Resolves after `ms`, or sooner when the event `listen` subscribes to fires or the server
 * stops (it wakes everything in `sleepers`); it unsubscribes and leaves `sleepers` either way.
 */
function wakeable(
  ms: number,
  sleepers: Set<() => void>,
  listen: (wake: () => void) => () => void,
): Promise<void> {
  return new Promise((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      unlisten();
      sleepers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    const unlisten = listen(wake);
    sleepers.add(wake);
  });
}
