import type { AddressInfo } from 'node:net';

import { CHROMIUM_FLAGS } from '@payreq/telegram-testkit';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AppDeps } from '../src/context';
import { registerOnecRest } from '../src/rest/onec/routes';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the reference page /onec/docs (Swagger UI from our own origin)', () => {
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    app = Fastify();
    // The page, its files and the document touch no dependency: the REST calls are not made here.
    await registerOnecRest(app, {} as AppDeps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_FLAGS] });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the page without inline script, and its files under a strict policy', async () => {
    const page = await fetch(`${url}/onec/docs`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]|https?:\/\//);
    for (const [file, type] of [
      ['swagger-ui-bundle.js', 'text/javascript'],
      ['swagger-ui.css', 'text/css'],
      ['init.js', 'text/javascript'],
    ]) {
      expect(html).toContain(`docs/assets/${file}`);
      const asset = await fetch(`${url}/onec/docs/assets/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain(type);
    }
    expect((await fetch(`${url}/onec/docs/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/onec/docs/assets/index.html`)).status).toBe(404);
  });

  it('draws every operation in Chromium, loading nothing from elsewhere and breaking no policy', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const requested = new Set<string>();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requested.add(new URL(request.url()).origin));
    await page.goto(`${url}/onec/docs`);
    await page.locator('.opblock').nth(3).waitFor();
    expect(await page.locator('.opblock-summary-path').allInnerTexts()).toEqual([
      '/onec/v1/requests/{requestId}',
      '/onec/v1/requests/{requestId}/offer',
      '/onec/v1/requests/{requestId}/status',
      '/onec/v1/requests/{requestId}/documents',
    ]);
    await expect.poll(() => page.locator('.info .title').innerText()).toContain('REST API for 1C');
    // Opening an operation shows its body schema and the 200 beside the 201.
    await page.locator('.opblock-summary-path', { hasText: /\/offer$/ }).click();
    const offer = page.locator('.opblock.is-open');
    await offer.locator('.responses-table').first().waitFor();
    const statuses = await offer.locator('.responses-table .response-col_status').allInnerTexts();
    expect(statuses.map((text) => text.trim().split(/\s/)[0])).toEqual(
      expect.arrayContaining(['200', '201', '409']),
    );
    expect([...requested]).toEqual([url]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
