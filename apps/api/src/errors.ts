import type { ErrorCode, Locale } from '@payreq/contracts';
import { localizeIssues, summarizeIssues } from '@payreq/contracts';
import { DomainError } from '@payreq/domain';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';

/** How each stable error code answers over tRPC (and, through it, HTTP). */
export const trpcCodeFor: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  VERSION_CONFLICT: 'CONFLICT',
  STALE_VERSION: 'CONFLICT',
  TRANSITION_NOT_ALLOWED: 'CONFLICT',
  READ_ONLY: 'CONFLICT',
  INCOMPLETE_REQUEST: 'UNPROCESSABLE_CONTENT',
  ALREADY_EXISTS: 'CONFLICT',
  IDEMPOTENCY_MISMATCH: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

const trpcToAppCode: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  BAD_REQUEST: 'VALIDATION_FAILED',
  PARSE_ERROR: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'VERSION_CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
};

/** An error with a stable code and words for the caller, raised by services outside the pure domain. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly messages: Record<Locale, string>,
    readonly details?: Record<string, unknown>,
  ) {
    super(messages.en);
    this.name = 'AppError';
  }
}

const missing = {
  request: { ru: 'Заявка не найдена', en: 'The request was not found' },
  chat: { ru: 'Чат не найден', en: 'The chat was not found' },
  document: { ru: 'Документ не найден', en: 'The document was not found' },
  offer: { ru: 'Предложение не найдено', en: 'The offer was not found' },
  company: { ru: 'Организация не найдена', en: 'The company was not found' },
  invitation: { ru: 'Приглашение не найдено', en: 'The invitation was not found' },
  agent: { ru: 'Агент не найден', en: 'The agent was not found' },
  message: { ru: 'Сообщение не найдено', en: 'The message was not found' },
} satisfies Record<string, Record<Locale, string>>;

/** Something the caller named does not exist (or is not theirs to know of): said in words. */
export const notFound = (what: keyof typeof missing = 'request') =>
  new AppError('NOT_FOUND', missing[what]);

export const forbidden = () =>
  new AppError('FORBIDDEN', { ru: 'Нет доступа', en: 'You have no access to this' });

export const unauthenticated = (why?: string) =>
  new AppError('UNAUTHENTICATED', {
    ru: why ? `Нужна авторизация: ${why}` : 'Нужна авторизация',
    en: why ? `Authentication required: ${why}` : 'Authentication required',
  });

export const versionConflict = (currentVersion: number) =>
  new AppError(
    'VERSION_CONFLICT',
    {
      ru: 'Заявку уже изменили: обновите её и повторите',
      en: 'Someone else changed the request first: reload it and try again',
    },
    { currentVersion },
  );

/** Turns whatever a procedure threw into a TRPCError that keeps the stable code. */
export function toTrpcError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (error instanceof DomainError || error instanceof AppError) {
    return new TRPCError({ code: trpcCodeFor[error.code], message: error.message, cause: error });
  }
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Internal error',
    cause: error as Error,
  });
}

export interface ErrorShapeData {
  appCode: ErrorCode;
  message: string;
  issues?: { path: string; message: string }[];
  details?: Record<string, unknown>;
}

/** The readable part of an error answer, in the caller's language. */
export function describeError(error: TRPCError, locale: Locale): ErrorShapeData {
  const cause = error.cause;
  if (cause instanceof ZodError) {
    return {
      appCode: 'VALIDATION_FAILED',
      message: summarizeIssues(cause.issues, locale),
      issues: localizeIssues(cause.issues, locale),
    };
  }
  if (cause instanceof DomainError) return { appCode: cause.code, ...domainAnswer(cause, locale) };
  if (cause instanceof AppError)
    return { appCode: cause.code, message: cause.messages[locale], details: cause.details };
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    return {
      appCode: 'INTERNAL',
      message: locale === 'ru' ? 'Внутренняя ошибка' : 'Internal error',
    };
  }
  return { appCode: trpcToAppCode[error.code] ?? 'INTERNAL', message: error.message };
}

/** A broken rule's words, and the field it is about as an issue there (a form shows it so). */
function domainAnswer(
  error: DomainError,
  locale: Locale,
): { message: string; issues?: { path: string; message: string }[] } {
  const message = error.describe(locale);
  return error.field ? { message, issues: [{ path: error.field, message }] } : { message };
}

/** HTTP status of each stable code, for the plain REST routes (uploads, 1C). */
export const httpStatusFor: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  STALE_VERSION: 409,
  TRANSITION_NOT_ALLOWED: 409,
  READ_ONLY: 409,
  ALREADY_EXISTS: 409,
  IDEMPOTENCY_MISMATCH: 409,
  INCOMPLETE_REQUEST: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** The JSON error body of the REST routes (contracts' ErrorBody) and its status. */
export interface RestErrorAnswer {
  status: number;
  body: {
    error: {
      code: ErrorCode;
      message: string;
      issues?: { path: string; message: string }[];
      currentVersion?: number;
    };
  };
}

export function restError(error: unknown, locale: Locale): RestErrorAnswer {
  const answer = (
    code: ErrorCode,
    message: string,
    more: Omit<RestErrorAnswer['body']['error'], 'code' | 'message'> = {},
  ): RestErrorAnswer => ({
    status: httpStatusFor[code],
    body: { error: { code, message, ...more } },
  });
  if (error instanceof ZodError) {
    return answer('VALIDATION_FAILED', summarizeIssues(error.issues, locale), {
      issues: localizeIssues(error.issues, locale),
    });
  }
  if (error instanceof DomainError) {
    const { message, issues } = domainAnswer(error, locale);
    return answer(error.code, message, {
      ...(issues ? { issues } : {}),
      ...currentVersionOf(error.code, error.params.current),
    });
  }
  if (error instanceof AppError)
    return answer(
      error.code,
      error.messages[locale],
      currentVersionOf(error.code, error.details?.currentVersion),
    );
  const fastifyError = error as { statusCode?: number; code?: string };
  if (fastifyError.statusCode === 413 || fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return answer(
      'PAYLOAD_TOO_LARGE',
      locale === 'ru' ? 'Файл слишком большой' : 'The file is too large',
    );
  if (fastifyError.statusCode === 415 || fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return answer(
      'UNSUPPORTED_MEDIA_TYPE',
      locale === 'ru' ? 'Тип файла не поддерживается' : 'Unsupported file type',
    );
  return answer('INTERNAL', locale === 'ru' ? 'Внутренняя ошибка' : 'Internal error');
}

/** A conflict about versions says which version the request is at now, so the caller can catch up. */
function currentVersionOf(code: ErrorCode, value: unknown): { currentVersion?: number } {
  if (code !== 'VERSION_CONFLICT' && code !== 'STALE_VERSION') return {};
  return typeof value === 'number' ? { currentVersion: value } : {};
}
