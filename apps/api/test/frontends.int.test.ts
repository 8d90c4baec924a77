import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TestApi } from '../testing/harness';
import { skipDb, startTestApi } from '../testing/harness';

/** Two built front ends from one api: the Mini App at `/`, another under its own prefix. */
describe.skipIf(skipDb)('built front ends', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'payreq-frontends-'));
  let api: TestApi;
  const build = (name: string) => {
    const dir = path.join(root, name);
    mkdirSync(path.join(dir, 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>${name}</title>`);
    writeFileSync(path.join(dir, 'assets', `${name}-1a2b.js`), `console.log('${name}')`);
    return dir;
  };

  beforeAll(async () => {
    api = await startTestApi(undefined, {
      webappDistDir: build('webapp'),
      frontends: [{ name: 'Portal', prefix: '/portal/', distDir: build('portal') }],
    });
  });
  afterAll(async () => {
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const response = await fetch(`${api.url}${url}`);
    return { status: response.status, body: await response.text() };
  };

  it('serves each under its prefix, pages and files, and the api roads stay the api', async () => {
    expect((await get('/')).body).toContain('<title>webapp</title>');
    expect((await get('/board')).body).toContain('<title>webapp</title>');
    expect((await get('/portal')).body).toContain('<title>portal</title>');
    expect((await get('/portal/requests/42')).body).toContain('<title>portal</title>');
    expect((await get('/portal/assets/portal-1a2b.js')).body).toBe("console.log('portal')");
    expect((await get('/assets/webapp-1a2b.js')).body).toBe("console.log('webapp')");
    expect((await get('/portal/assets/webapp-1a2b.js')).status).toBe(404);
    expect((await get('/healthz')).body).toContain('ok');
  });

  it('answers a wrong GET under the 1C road in 1C’s error shape, not with the pages’ 404', async () => {
    for (const wrong of ['/onec/v1/requests/6f1c2e1a-1111-4222-8333-944455556666/', '/onec/v1/x']) {
      const answer = await get(wrong);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toMatchObject({
        error: { code: 'NOT_FOUND', message: `No such route: GET ${wrong}` },
      });
    }
    expect((await get('/onec/openapi.json')).status).toBe(200);
  });
});
