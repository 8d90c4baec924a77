import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  DocumentKind,
  ErrorBody,
  OnecRequestChange,
  OnecDocumentBody,
  OnecDocumentResult,
  OnecOfferBody,
  OnecOfferResult,
  OnecRequestView,
  OnecStatusBody,
  OnecStatusResult,
  onecHeaders,
} from '@payreq/contracts';
import {
  OnecCreateRequestAnswer,
  OnecCreateRequestBody,
  OnecDocumentJobAnswer,
  OnecDocumentRequestBody,
  OnecErrorBody,
  OnecRequestState,
  OnecUpdateRequestAnswer,
  OnecUpdateRequestBody,
  onecErrorCodes,
  onecServicePaths,
  signOnecBody,
} from '@payreq/onec';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

import { buildOnecOpenApiDocument, onecOperations, onecRestPrefix } from '../src/rest/onec/spec';
import { mimeMatchesContent } from '../src/services/mime';
import type { DeclaredMimeType } from '../src/services/mime';

/**
 * The 1C developer kit (onec-kit/) and the guide for 1C (apps/api/docs/onec-guide.md) against
 * the contract: every fenced ```json block names its contract (`json contract=<Name>`) and must
 * pass that zod schema and, for the calls 1C makes to the platform, the OpenAPI document's schema
 * too; the BSL modules use the paths, headers, kinds and codes the contract has.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const kitDir = 'onec-kit';
const bslFiles = readdirSync(path.join(repoRoot, kitDir, 'src')).filter((f) => f.endsWith('.bsl'));
const bsl = (name: string) =>
  read(
    path.join(
      kitDir,
      'src',
      bslFiles.find((f) => f.includes(name))!,
    ),
  );
const markdownFiles = ['onec-kit/README.md', 'apps/api/docs/onec-guide.md'];

/** The calls 1C makes to the platform: in the OpenAPI document's components. */
const platformContracts: Record<string, z.ZodType> = {
  OnecOfferBody,
  OnecStatusBody,
  OnecDocumentBody,
  OnecRequestView,
  OnecOfferResult,
  OnecStatusResult,
  OnecDocumentResult,
  ErrorBody,
};
/** The calls the platform makes to 1C's HTTP service (packages/onec). */
const onecContracts: Record<string, z.ZodType> = {
  OnecCreateRequestBody,
  OnecCreateRequestAnswer,
  OnecDocumentRequestBody,
  OnecDocumentJobAnswer,
  OnecUpdateRequestBody,
  OnecUpdateRequestAnswer,
  OnecRequestState,
  OnecErrorBody,
};

interface JsonBlock {
  file: string;
  line: number;
  contract: string | null;
  text: string;
}

function jsonBlocksOf(file: string): JsonBlock[] {
  const blocks: JsonBlock[] = [];
  let open: { info: string; line: number; lines: string[] } | null = null;
  read(file)
    .split('\n')
    .forEach((line, index) => {
      const fence = /^```(.*)$/.exec(line.trim());
      if (!open) {
        if (fence) open = { info: fence[1]!.trim(), line: index + 1, lines: [] };
        return;
      }
      if (fence && fence[1]!.trim() === '') {
        const [language, ...attributes] = open.info.split(/\s+/);
        if (language === 'json') {
          const contract = attributes.find((a) => a.startsWith('contract='));
          blocks.push({
            file,
            line: open.line,
            contract: contract ? contract.slice('contract='.length) : null,
            text: open.lines.join('\n'),
          });
        }
        open = null;
        return;
      }
      open.lines.push(line);
    });
  return blocks;
}

const blocks = markdownFiles.flatMap(jsonBlocksOf);

const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
ajv.addSchema(buildOnecOpenApiDocument() as object, 'openapi');

describe('JSON examples of the 1C kit and the guide', () => {
  it('finds the examples, each naming a contract', () => {
    expect(blocks.length).toBeGreaterThan(15);
    for (const block of blocks) {
      expect(
        block.contract,
        `${block.file}:${block.line}: mark it json contract=<Name>`,
      ).not.toBeNull();
      expect(
        { ...platformContracts, ...onecContracts }[block.contract!],
        `${block.file}:${block.line}: unknown contract ${block.contract}`,
      ).toBeDefined();
    }
    // Every shape of both directions is shown at least once.
    const shown = new Set(blocks.map((block) => block.contract));
    expect(
      [...Object.keys(platformContracts), ...Object.keys(onecContracts)].filter(
        (n) => !shown.has(n),
      ),
    ).toEqual([]);
  });

  it.each(blocks.map((block) => [`${block.file}:${block.line} ${block.contract}`, block] as const))(
    '%s matches the contract',
    (_name, block) => {
      const value: unknown = JSON.parse(block.text);
      const schema = platformContracts[block.contract!] ?? onecContracts[block.contract!]!;
      const parsed = schema.safeParse(value);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      if (platformContracts[block.contract!]) {
        const validate = ajv.getSchema(`openapi#/components/schemas/${block.contract}`)!;
        expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      }
    },
  );

  // A developer who posts the example as it stands gets a file the group can open, and the
  // answer beside it is the one the platform gives for those bytes.
  it.each(markdownFiles)(
    '%s: the example document is a whole PDF, its answer its size and hash',
    (file) => {
      const fileBlocks = jsonBlocksOf(file);
      const body = OnecDocumentBody.parse(
        JSON.parse(fileBlocks.find((block) => block.contract === 'OnecDocumentBody')!.text),
      );
      const bytes = Buffer.from(body.contentBase64.replace(/\s/g, ''), 'base64');
      const openApiExample = onecOperations.find((op) => op.id === 'postDocument')!.bodyExample;
      expect((openApiExample as OnecDocumentBody).contentBase64).toBe(bytes.toString('base64'));
      expect(mimeMatchesContent(body.mime as DeclaredMimeType, bytes)).toBe(true);
      const text = bytes.toString('latin1');
      expect(text).toMatch(/^%PDF-1\.\d\n/);
      expect(text).toMatch(/\/Type\/Page\b/);
      expect(text).toMatch(/startxref\n\d+\n%%EOF\n$/);
      const xrefAt = Number(/startxref\n(\d+)/.exec(text)![1]);
      expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
      const answers = fileBlocks
        .filter(
          (block) =>
            block.contract === 'OnecDocumentResult' || block.contract === 'OnecRequestState',
        )
        .map((block) => block.text);
      expect(answers.length).toBeGreaterThan(0);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      for (const answer of answers) {
        expect(answer).toContain(`"size": ${bytes.length},`);
        expect(answer).toContain(`"sha256": "${sha256}"`);
      }
    },
  );

  it('the OpenAPI schemas used here refuse a broken example (the check is real)', () => {
    const validate = ajv.getSchema('openapi#/components/schemas/OnecOfferBody')!;
    const example = JSON.parse(
      blocks.find((block) => block.contract === 'OnecOfferBody')!.text,
    ) as object;
    expect(validate({ ...example, validUntil: '20.03.2025' })).toBe(false);
    expect(validate({ ...example, extra: 1 })).toBe(false);
    expect(OnecOfferBody.safeParse({ ...example, rate: '' }).success).toBe(false);
  });
});

describe('the BSL of the 1C kit against the contract', () => {
  const exchange = bsl('PayReqОбмен');
  const helpers = bsl('PayReqСлужебный');
  const service = bsl('HTTPСервис');
  const readme = read('onec-kit/README.md');

  it('calls the platform’s paths with its headers', () => {
    expect(exchange).toContain(`"${onecRestPrefix}/v1/requests/"`);
    for (const operation of onecOperations.filter((op) => op.method === 'POST')) {
      const suffix = operation.path.replace('/v1/requests/{requestId}', '');
      expect(exchange, operation.id).toContain(`"${suffix}"`);
    }
    for (const header of [onecHeaders.apiKey, onecHeaders.signature, onecHeaders.idempotencyKey]) {
      expect(exchange).toContain(`"${header}"`);
    }
  });

  it('serves the templates of 1C’s HTTP service and answers only the contract’s error codes', () => {
    for (const template of [
      onecServicePaths.requests,
      onecServicePaths.request('{Ref_Key}').replace('%7BRef_Key%7D', '{Ref_Key}'),
      onecServicePaths.documents('{Ref_Key}').replace('%7BRef_Key%7D', '{Ref_Key}'),
      onecServicePaths.updates('{Ref_Key}').replace('%7BRef_Key%7D', '{Ref_Key}'),
    ]) {
      expect(service).toContain(template);
      expect(readme).toContain(`\`${template}\``);
    }
    const answered = [...(service + helpers).matchAll(/ОтветОшибка\(\d{3}, "([A-Z_]+)"/g)].map(
      (m) => m[1],
    );
    expect(answered.length).toBeGreaterThan(3);
    for (const code of answered) expect(onecErrorCodes).toContain(code);
  });

  it('applies the update kinds of the contract and names the version in its posts', () => {
    const kinds = /СтрРазделить\("([A-Za-z,]+)", ","\)/
      .exec(service.slice(service.indexOf('Функция ВидыИзменений')))![1]!
      .split(',');
    expect(kinds).toEqual(OnecRequestChange.options.map((option) => option.shape.type.value));
    for (const call of ['Функция ОтправитьПредложение', 'Функция ОтправитьСтатус']) {
      const body = exchange.slice(
        exchange.indexOf(call),
        exchange.indexOf('КонецФункции', exchange.indexOf(call)),
      );
      expect(body, call).toContain('Тело.Вставить("version", ВерсияЗаявки(ИдентификаторЗаявки))');
    }
  });

  it('knows the document kinds, formats zero as "0", and its HMAC vectors are the platform’s', () => {
    const kinds = /СтрРазделить\("([A-Z_,]+)", ","\)/.exec(exchange)![1]!.split(',');
    expect(kinds).toEqual(DocumentKind.options);
    expect(helpers).toContain('ЧРД=.; ЧГ=0; ЧН=0');
    const vectors = [
      signOnecBody('{"a":1}', 'payreq-test-secret'),
      signOnecBody('', 'payreq-test-secret'),
    ];
    for (const text of [helpers, readme, read('apps/api/docs/onec-guide.md')]) {
      for (const vector of vectors) expect(text).toContain(vector);
    }
  });
});
