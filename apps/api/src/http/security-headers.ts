import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { HelmetOptions } from 'helmet';

export interface SecurityHeaderOptions {
  /**
   * Who may show the platform's pages in a frame: Telegram's web clients show a Mini App in an
   * `<iframe>` (`web.telegram.org`), and so does the project's Telegram stand-in in development.
   */
  frameAncestors: readonly string[];
}

/** Telegram's own web clients (web.telegram.org/k and /a). */
export const telegramWebOrigins = ['https://web.telegram.org'] as const;

/**
 * Security headers on every answer (HTML, API, files) from helmet: no sniffing, HSTS, a strict
 * content security policy for the platform's own pages (scripts and connections to this origin
 * only), no referrer across origins. Files from outside override the policy with a sandbox
 * (untrusted-file.ts). Framing is governed by CSP `frame-ancestors` rather than
 * `X-Frame-Options`, which cannot name Telegram's web client.
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: SecurityHeaderOptions,
): Promise<void> {
  const headers = helmetHeaders({
    frameguard: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // React sets style attributes; no stylesheet comes from elsewhere.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...options.frameAncestors],
      },
    },
    // The Mini App is framed by Telegram's web client, on another origin.
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/**
 * The headers helmet sets for a configuration, worked out once. With no per-request nonces
 * they are the same on every answer, while `@fastify/helmet` built helmet's middleware
 * (parsing the policy) again for each request.
 */
export function helmetHeaders(config: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  helmet(config)(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
      finished = true;
    },
  );
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}
