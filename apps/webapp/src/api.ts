import type { AppRouter } from '@payreq/api';
import type { DocumentKind, DocumentView, ErrorCode } from '@payreq/contracts';
import type { TRPCClient } from '@trpc/client';
import { TRPCClientError, httpLink } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import { createTRPCReact } from '@trpc/react-query';

import type { I18n } from '@payreq/ui';

/**
 * The api, as the Mini App calls it. Every call carries `Authorization: tma <init data>`:
 * the server checks Telegram's signature and finds the chat from the signed `start_param`.
 * The app never sends a chat id of its own.
 */
export const trpc = createTRPCReact<AppRouter>();

export type ApiClient = TRPCClient<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

/** A request as the api sends it (JSON: what the contracts' PaymentRequestView serialises to). */
export type RequestView = NonNullable<Outputs['miniApp']['session']['request']>;
export type HistoryItem = RequestView['history'][number];
export type OfferItem = RequestView['offers'][number];
export type HistoryPage = Outputs['miniApp']['history'];

export interface Api {
  /** For React (`trpc.Provider`) and for imperative calls (mutations, fresh reads). */
  client: ApiClient;
  authorization: string;
}

export function createApi(initDataRaw: string): Api {
  const authorization = `tma ${initDataRaw}`;
  const client = trpc.createClient({
    links: [httpLink({ url: '/trpc', headers: () => ({ authorization }) })],
  });
  return { client, authorization };
}

/** A failed call, in words the user can read, with the field issues when there are some. */
export interface Failure {
  code: ErrorCode | 'NETWORK' | 'UNKNOWN';
  message: string;
  issues: { path: string; message: string }[];
  details: Record<string, unknown>;
}

interface ErrorData {
  appCode?: ErrorCode;
  issues?: { path: string; message: string }[];
  details?: Record<string, unknown>;
}

export function failureOf(error: unknown, i18n: I18n): Failure {
  if (error instanceof Failed) return error.failure;
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? null) as ErrorData | null;
    if (!data?.appCode) {
      // No answer from the api at all (offline, proxy error): say so plainly.
      return { code: 'NETWORK', message: i18n.t('networkError'), issues: [], details: {} };
    }
    return {
      code: data.appCode,
      message: error.message || i18n.t('unknownError'),
      issues: data.issues ?? [],
      details: data.details ?? {},
    };
  }
  if (error instanceof TypeError) {
    return { code: 'NETWORK', message: i18n.t('networkError'), issues: [], details: {} };
  }
  return { code: 'UNKNOWN', message: i18n.t('unknownError'), issues: [], details: {} };
}

/** An error answer of the plain HTTP routes, carried as a Failure. */
export class Failed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

async function restFailure(response: Response, i18n: I18n): Promise<Failed> {
  try {
    const body = (await response.json()) as {
      error?: { code?: ErrorCode; message?: string; issues?: { path: string; message: string }[] };
    };
    if (body.error?.code) {
      return new Failed({
        code: body.error.code,
        message:
          body.error.code === 'PAYLOAD_TOO_LARGE'
            ? i18n.t('fileTooLarge')
            : (body.error.message ?? i18n.t('unknownError')),
        issues: body.error.issues ?? [],
        details: {},
      });
    }
  } catch {
    // not JSON: fall through
  }
  return new Failed({
    code: response.status >= 500 ? 'INTERNAL' : 'UNKNOWN',
    message: i18n.t('unknownError'),
    issues: [],
    details: {},
  });
}

async function send(
  api: Api,
  i18n: I18n,
  path: string,
  init: RequestInit & { headers?: Record<string, string> },
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: {
        ...init.headers,
        authorization: api.authorization,
        'accept-language': i18n.locale,
      },
    });
  } catch {
    throw new Failed({ code: 'NETWORK', message: i18n.t('networkError'), issues: [], details: {} });
  }
  if (!response.ok) throw await restFailure(response, i18n);
  return response;
}

/** `POST /miniapp/v1/attachments`: the file's bytes, its type, name and document kind. */
export async function uploadAttachment(
  api: Api,
  i18n: I18n,
  file: File,
  kind: DocumentKind,
): Promise<DocumentView> {
  const response = await send(api, i18n, '/miniapp/v1/attachments', {
    method: 'POST',
    body: file,
    headers: {
      'content-type': file.type || 'application/octet-stream',
      'x-file-name': encodeURIComponent(file.name),
      'x-document-kind': kind,
    },
  });
  return (await response.json()) as DocumentView;
}

/** `GET /miniapp/v1/documents/:id` with the auth header: the file as a blob. */
export async function fetchDocument(api: Api, i18n: I18n, documentId: string): Promise<Blob> {
  const response = await send(
    api,
    i18n,
    `/miniapp/v1/documents/${encodeURIComponent(documentId)}`,
    {
      method: 'GET',
    },
  );
  return response.blob();
}

export interface ImportResult {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** `POST /miniapp/v1/chat-export`: the agent's Telegram Desktop export (result.json). */
export async function importChatExport(api: Api, i18n: I18n, file: File): Promise<ImportResult> {
  const response = await send(api, i18n, '/miniapp/v1/chat-export', {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/json' },
  });
  return (await response.json()) as ImportResult;
}

/**
 * The agent asks 1C for a document (`miniApp.requestDocument({ kind })`); the queue comes back
 * with the next session. Allowed by the `documents.generate` permission.
 */
export async function requestDocumentFromOnec(api: Api, kind: DocumentKind): Promise<void> {
  await api.client.miniApp.requestDocument.mutate({ kind });
}
