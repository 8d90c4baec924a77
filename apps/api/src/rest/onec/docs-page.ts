import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The reference page of the REST shim (`/onec/docs`): Swagger UI (`swagger-ui-dist`) drawing
 * `/onec/openapi.json`, every file served from the api's own origin (no CDN) and no inline
 * script, so the page runs under a `script-src 'self'` policy. Try-it-out is off: the calls
 * are 1C's, signed with its secret.
 */

const swaggerUiDir = path.dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

/** The files the page loads, below `/onec/docs/assets/`, with their content types. */
const assetTypes = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const;

export type DocsAsset = keyof typeof assetTypes;

export interface DocsFile {
  type: string;
  body: Buffer | string;
}

/** Our start-up script (a file, not inline): Swagger UI on the document beside the page. */
const initScript = `'use strict';
window.addEventListener('load', function () {
  window.ui = window.SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 1,
    defaultModelExpandDepth: 3,
    displayRequestDuration: false,
    // Reference only: 1C makes these calls, signed; and nothing is sent to an outside validator.
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
});
`;

const page = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[<>&"]/g, '')}</title>
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="stylesheet" href="docs/assets/page.css">
</head>
<body>
<noscript>This page needs JavaScript. The document itself: <a href="openapi.json">openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/init.js"></script>
</body>
</html>
`;

// No "Authorize" (nothing is sent from this page); the license is named, not linked (a
// LicenseRef has no page at SPDX).
const pageCss = `body { margin: 0; background: #fff; }
.swagger-ui .topbar, .swagger-ui .auth-wrapper, .swagger-ui .authorization__btn { display: none; }
.swagger-ui .info__license a { pointer-events: none; color: inherit; text-decoration: none; }
`;

/**
 * The content security policy of the docs page and its files: scripts and styles from this
 * origin only (Swagger UI sets style attributes, hence 'unsafe-inline' for styles), images
 * from here or data: URLs (its icons), fetches to this origin (the document).
 */
export const docsContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page and its files, read once. */
export function loadDocsFiles(title: string): {
  page: DocsFile;
  assets: ReadonlyMap<string, DocsFile>;
} {
  const assets = new Map<string, DocsFile>();
  for (const [name, type] of Object.entries(assetTypes)) {
    assets.set(name, { type, body: readFileSync(path.join(swaggerUiDir, name)) });
  }
  assets.set('init.js', { type: 'text/javascript; charset=utf-8', body: initScript });
  assets.set('page.css', { type: 'text/css; charset=utf-8', body: pageCss });
  return { page: { type: 'text/html; charset=utf-8', body: page(title) }, assets };
}
