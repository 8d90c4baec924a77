import type { ResponseParameters } from './bot-api-types';

/** An error answered to a Bot API call exactly as Telegram does: `{ok:false,error_code,description}`. */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'BotApiError';
  }

  toJSON(): {
    ok: false;
    error_code: number;
    description: string;
    parameters?: ResponseParameters;
  } {
    return {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
      ...(this.parameters ? { parameters: this.parameters } : {}),
    };
  }
}

export const badRequest = (message: string, parameters?: ResponseParameters): BotApiError =>
  new BotApiError(400, `Bad Request: ${message}`, parameters);

export const forbidden = (message: string): BotApiError =>
  new BotApiError(403, `Forbidden: ${message}`);

export const unauthorized = (): BotApiError => new BotApiError(401, 'Unauthorized');

export const notFound = (): BotApiError => new BotApiError(404, 'Not Found');

export const conflict = (message: string): BotApiError =>
  new BotApiError(409, `Conflict: ${message}`);

export const tooManyRequests = (retryAfter: number): BotApiError =>
  new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, {
    retry_after: retryAfter,
  });

/** A mistake in how a test drives the simulated world (not a Bot API error). */
export class WorldError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'WorldError';
  }
}
