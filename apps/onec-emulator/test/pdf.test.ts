import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';

import { DocumentKind } from '@payreq/contracts';

import { defaultBank } from '../src/config';
import { buildDocumentLayout, renderPdf } from '../src/pdf';
import type { DocumentData } from '../src/pdf';
import { completeFields } from '@payreq/testing';

const data = (kind: DocumentData['kind'], withOffer = true): DocumentData => ({
  kind,
  number: 'СЧ-000001',
  date: '2025-03-15T10:00:00',
  bank: defaultBank,
  request: {
    number: 'ЗП00-000001',
    displayNumber: '№ 000123',
    fields: completeFields,
    agentName: 'Иван Петров',
  },
  offer: withOffer
    ? {
        rate: '92.5',
        feePercent: '1.5',
        fixedFee: '1500.00',
        totalToPay: '117360875.00',
        settlementDays: 3,
        validUntil: '2025-03-20T23:59:59',
      }
    : null,
});

const text = (layout: ReturnType<typeof buildDocumentLayout>) =>
  layout.lines.map((l) => l.text).join('\n');

/** Every Unicode character the embedded fonts can show (from their ToUnicode maps). */
async function mappedCharacters(
  bytes: Uint8Array,
): Promise<{ fonts: string[]; chars: Set<string> }> {
  const pdf = await PDFDocument.load(bytes);
  const fonts: string[] = [];
  const chars = new Set<string>();
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Type')) !== PDFName.of('Font'))
      continue;
    const baseFont = object.get(PDFName.of('BaseFont'));
    if (baseFont) fonts.push(baseFont.toString());
    const toUnicode = object.get(PDFName.of('ToUnicode'));
    if (!toUnicode) continue;
    const stream = pdf.context.lookup(toUnicode);
    if (!(stream instanceof PDFRawStream)) continue;
    const cmap = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    for (const match of cmap.matchAll(/<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4,})>/g)) {
      const hex = match[1]!;
      for (let i = 0; i < hex.length; i += 4)
        chars.add(String.fromCharCode(parseInt(hex.slice(i, i + 4), 16)));
    }
  }
  return { fonts, chars };
}

function pdftotext(bytes: Uint8Array): string | null {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'onec-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('document layouts', () => {
  it('writes an invoice with the payer, the beneficiary, the amount and the offer totals', () => {
    const layout = buildDocumentLayout(data('INVOICE'));
    expect(layout.title).toBe('Счёт на оплату № СЧ-000001 от 15.03.2025');
    const all = text(layout);
    expect(all).toContain('Плательщик: ООО «Ромашка», ИНН 7707083893');
    expect(all).toContain('Shenzhen Flower Trading Co., Ltd.');
    expect(all).toContain('SWIFT BKCHCNBJ45A');
    expect(all).toMatch(/Перевод 1 250 000,00 CNY/);
    // Numbers and dates as 1C prints them in Russian: a decimal comma, dd.mm.yyyy.
    expect(all).toContain('Курс: 92,5 RUB за 1 CNY');
    expect(all).toContain('Комиссия банка: 1,5 %');
    expect(all).toContain('Договор: 15/2026 от 01.10.2026;');
    expect(all).toMatch(/Итого к оплате: 117 360 875,00 RUB/);
    // The terms' deadline by its date; terms without one set none.
    expect(all).toContain('Оплатить не позднее 20.03.2025. НДС не облагается.');
    const open = data('INVOICE');
    const noDeadline = text(
      buildDocumentLayout({ ...open, offer: { ...open.offer!, validUntil: null } }),
    );
    expect(noDeadline).not.toContain('Оплатить не позднее');
    expect(noDeadline).toContain('НДС не облагается.');
    expect(all).toContain(defaultBank.name);
  });

  it('writes an act and a generic layout for the other kinds', () => {
    expect(buildDocumentLayout(data('ACT')).title).toMatch(/^Акт об оказании услуг № /);
    expect(text(buildDocumentLayout(data('ACT')))).toContain('Заказчик: ООО «Ромашка»');
    const swift = buildDocumentLayout(data('SWIFT_CONFIRMATION', false));
    expect(swift.title).toMatch(/^Подтверждение перевода \(SWIFT MT103\)/);
    expect(text(swift)).toContain('Менеджер: Иван Петров');
    expect(text(swift)).toContain('Условия ещё не рассчитаны');
  });
});

describe('PDF rendering', () => {
  it('renders every kind as a PDF with DejaVu embedded and Cyrillic mapped', async () => {
    for (const kind of DocumentKind.options) {
      const layout = buildDocumentLayout(data(kind));
      const bytes = await renderPdf(layout, {
        date: '2025-03-15T10:00:00',
        author: defaultBank.name,
      });
      expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      const pdf = await PDFDocument.load(bytes);
      expect(pdf.getPageCount()).toBeGreaterThan(0);
      expect(pdf.getTitle()).toBe(layout.title);

      const { fonts, chars } = await mappedCharacters(bytes);
      expect(fonts.some((f) => f.includes('DejaVuSans'))).toBe(true);
      // Every character of the title has a glyph mapped back to Unicode.
      for (const char of layout.title.replace(/\s/g, ''))
        expect(chars, `${kind}: ${char}`).toContain(char);
    }
  });

  it('is deterministic for the same input, and breaks long documents into pages', async () => {
    const layout = buildDocumentLayout(data('INVOICE'));
    const meta = { date: '2025-03-15T10:00:00', author: 'Банк' };
    const first = await renderPdf(layout, meta);
    const second = await renderPdf(layout, meta);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);

    const long = {
      title: 'Длинный документ',
      lines: Array.from({ length: 200 }, (_, i) => ({ text: `Строка ${i + 1}` })),
    };
    const pdf = await PDFDocument.load(await renderPdf(long, meta));
    expect(pdf.getPageCount()).toBeGreaterThan(2);
  });

  it('reads back as text with pdftotext when it is installed', async () => {
    const bytes = await renderPdf(buildDocumentLayout(data('INVOICE')), {
      date: '2025-03-15T10:00:00',
      author: 'Банк',
    });
    const extracted = pdftotext(bytes);
    if (extracted === null) return; // not installed here: the ToUnicode check above covers it
    expect(extracted).toContain('Счёт на оплату № СЧ-000001');
    expect(extracted).toContain('ООО «Ромашка»');
  });
});
