import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { lintFromString, loadConfig } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';

import { buildOnecOpenApiDocument } from '../src/rest/onec/spec';
import { committedOpenApiPath } from '../src/rest/onec/write-openapi';

// The rules are the api's redocly.yaml (recommended-strict and more, every problem an error).
const configPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../redocly.yaml');

async function lintDocument(source: string) {
  const config = await loadConfig({ configPath });
  const problems = await lintFromString({ source, absoluteRef: committedOpenApiPath, config });
  return problems.map((problem) => ({
    rule: problem.ruleId,
    message: problem.message,
    where: problem.location[0]?.pointer,
  }));
}

describe('the OpenAPI document of the REST shim for 1C', () => {
  it('lints clean with Redocly (recommended-strict, contact, license, examples checked)', async () => {
    expect(await lintDocument(readFileSync(committedOpenApiPath, 'utf8'))).toEqual([]);
  });

  it('documents the 200 answer for a repeated Ref_Key beside each 201, and base64 as 1C writes it', () => {
    const document = buildOnecOpenApiDocument();
    for (const operation of ['offer', 'documents']) {
      const responses = document.paths?.[`/onec/v1/requests/{requestId}/${operation}`]?.post
        ?.responses as Record<string, { headers?: Record<string, unknown> }>;
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '201']));
      expect(responses['201']!.headers).toHaveProperty('idempotent-replayed');
    }
    const body = document.components?.schemas?.OnecDocumentBody as {
      properties: { contentBase64: { pattern: string } };
    };
    const base64 = new RegExp(body.properties.contentBase64.pattern);
    // Base64Строка breaks lines every 76 characters with CR LF.
    const wrapped = Buffer.alloc(200, 'x')
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
    expect(base64.test(wrapped)).toBe(true);
    expect(base64.test('not base64!')).toBe(false);
  });

  it('would catch an example that breaks its own schema, and a missing license', async () => {
    const document = structuredClone(buildOnecOpenApiDocument()) as ReturnType<
      typeof buildOnecOpenApiDocument
    > & { info: { license?: unknown } };
    const offer = document.paths!['/onec/v1/requests/{requestId}/offer']!.post!;
    const media = (offer.requestBody as { content: Record<string, { example: object }> }).content[
      'application/json'
    ]!;
    media.example = { ...media.example, validUntil: '20.03.2025' };
    delete document.info.license;
    const rules = (await lintDocument(JSON.stringify(document))).map((problem) => problem.rule);
    expect(rules).toEqual(
      expect.arrayContaining(['no-invalid-media-type-examples', 'info-license']),
    );
  });
});
