import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';

import { formatMoney } from '@payreq/contracts';
import type { DocumentKind, PaymentRequestFields } from '@payreq/contracts';

import type { BankDetails } from './config';

/** Russian titles of the document kinds, as 1C prints them. */
export const documentTitles: Record<DocumentKind, string> = {
  INVOICE: 'Счёт на оплату',
  CONTRACT: 'Договор',
  ACT: 'Акт об оказании услуг',
  AGENT_REPORT: 'Отчёт агента',
  SWIFT_CONFIRMATION: 'Подтверждение перевода (SWIFT MT103)',
  RECEIPT: 'Квитанция',
  OTHER: 'Документ',
};

/** Number prefixes per kind, like 1C numbering prefixes. */
export const documentPrefixes: Record<DocumentKind, string> = {
  INVOICE: 'СЧ',
  CONTRACT: 'ДГ',
  ACT: 'АКТ',
  AGENT_REPORT: 'ОА',
  SWIFT_CONFIRMATION: 'SW',
  RECEIPT: 'КВ',
  OTHER: 'ДК',
};

export interface DocumentData {
  kind: DocumentKind;
  number: string;
  /** 1C local date-time of the document. */
  date: string;
  bank: BankDetails;
  request: {
    number: string;
    displayNumber: string;
    fields: PaymentRequestFields;
    agentName: string | null;
  };
  offer: {
    rate: string;
    feePercent: string;
    fixedFee: string;
    totalToPay: string;
    settlementDays: number;
    /** 1C local date-time the terms hold until; null: no deadline. */
    validUntil?: string | null;
  } | null;
}

export interface LayoutLine {
  text: string;
  bold?: boolean;
  size?: number;
  /** Extra space above the line, in points. */
  gap?: number;
}

export interface DocumentLayout {
  title: string;
  lines: LayoutLine[];
}

const dash = '—';
const or = (value: string | null | undefined) => (value && value.trim() ? value : dash);

/** "2025-03-15T10:00:00" → "15.03.2025" */
export function russianDate(onecDateTime: string): string {
  const [date] = onecDateTime.split('T');
  const [y, m, d] = (date ?? '').split('-');
  return `${d}.${m}.${y}`;
}

/** A rate or a percentage as 1C prints numbers in Russian: "12,85", "1,5". */
function decimal(value: string | number): string {
  return String(value).replace('.', ',');
}

/** A calendar date ("2026-11-01") as 1C prints it ("01.11.2026"); anything else as it is. */
function printedDate(value: string | null | undefined): string {
  if (!value || !value.trim()) return dash;
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? russianDate(value) : value;
}

function money(amount: string | null, currency: string | null): string {
  if (!amount) return dash;
  try {
    return formatMoney(amount, currency ?? 'RUB', 'ru').replace(/[\u202f\u00a0]/g, ' ');
  } catch {
    return `${amount} ${currency ?? ''}`.trim();
  }
}

/** The text of a document, line by line: what the PDF shows (and what tests can read). */
export function buildDocumentLayout(data: DocumentData): DocumentLayout {
  const { bank, request, offer } = data;
  const f = request.fields;
  const title = `${documentTitles[data.kind]} № ${data.number} от ${russianDate(data.date)}`;
  const payer = `${or(f.payerName)}, ИНН ${or(f.payerTaxId)}`;
  const bankLine = `${bank.name}, ИНН ${bank.taxId}, КПП ${bank.kpp}`;
  const basis = `Заявка на платёж ${request.displayNumber} (в 1С: ${request.number})`;
  const clientCurrency = f.clientCurrency ?? 'RUB';
  const transfer = `Перевод ${money(f.amount, f.currency)} в пользу ${or(f.beneficiaryName)} (${or(f.beneficiaryCountry)}), банк ${or(f.beneficiaryBankName)}, SWIFT ${or(f.beneficiarySwift)}, счёт ${or(f.beneficiaryAccount)}`;
  const terms: LayoutLine[] = offer
    ? [
        { text: `Курс: ${decimal(offer.rate)} ${clientCurrency} за 1 ${or(f.currency)}` },
        { text: `Комиссия банка: ${decimal(offer.feePercent)} %` },
        { text: `Фиксированная комиссия: ${money(offer.fixedFee, clientCurrency)}` },
        { text: `Срок исполнения: ${offer.settlementDays} раб. дн.` },
        { text: `Итого к оплате: ${money(offer.totalToPay, clientCurrency)}`, bold: true, gap: 6 },
      ]
    : [{ text: 'Условия ещё не рассчитаны: итог будет указан в расчёте банка.' }];
  const signatures: LayoutLine[] = [
    {
      text: 'Руководитель ____________________      Главный бухгалтер ____________________',
      gap: 36,
    },
    { text: 'М. П.', gap: 12 },
  ];

  switch (data.kind) {
    case 'INVOICE':
      return {
        title,
        lines: [
          { text: 'Получатель', bold: true },
          { text: bankLine },
          {
            text: `БИК ${bank.bic}, сч. № ${bank.account}, корр. сч. ${bank.correspondentAccount}`,
          },
          { text: bank.address },
          { text: title, bold: true, size: 16, gap: 18 },
          { text: `Плательщик: ${payer}`, gap: 12 },
          { text: `Основание: ${basis}` },
          { text: 'Наименование', bold: true, gap: 12 },
          { text: transfer },
          { text: `Назначение платежа: ${or(f.purpose)}` },
          {
            text: `Договор: ${or(f.contractNumber)} от ${printedDate(f.contractDate)}; инвойс: ${or(f.invoiceNumber)}`,
          },
          ...terms.map((line, index) => (index === 0 ? { ...line, gap: 12 } : line)),
          {
            // The date itself: «не позднее срока действия расчёта» left the reader to find it.
            text: offer?.validUntil
              ? `Оплатить не позднее ${russianDate(offer.validUntil)}. НДС не облагается.`
              : 'НДС не облагается.',
            gap: 12,
          },
          ...signatures,
        ],
      };
    case 'ACT':
      return {
        title,
        lines: [
          { text: title, bold: true, size: 16 },
          { text: `Исполнитель: ${bankLine}`, gap: 12 },
          { text: `Заказчик: ${payer}` },
          { text: `Основание: ${basis}` },
          { text: 'Оказанные услуги', bold: true, gap: 12 },
          { text: `Агентское вознаграждение за перевод: ${transfer}` },
          ...terms,
          {
            text: 'Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.',
            gap: 12,
          },
          { text: 'Исполнитель ____________________      Заказчик ____________________', gap: 36 },
        ],
      };
    default:
      return {
        title,
        lines: [
          { text: title, bold: true, size: 16 },
          { text: `Банк: ${bankLine}`, gap: 12 },
          { text: `Клиент: ${payer}` },
          { text: `Основание: ${basis}` },
          { text: `Менеджер: ${or(request.agentName)}` },
          { text: 'Сведения о платеже', bold: true, gap: 12 },
          { text: transfer },
          { text: `Назначение платежа: ${or(f.purpose)}` },
          { text: `Желаемая дата: ${or(f.desiredDate)}` },
          ...terms,
          ...signatures,
        ],
      };
  }
}

const fontDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
let fontCache: { regular: Uint8Array; bold: Uint8Array } | null = null;

function fonts() {
  fontCache ??= {
    regular: readFileSync(path.join(fontDir, 'DejaVuSans.ttf')),
    bold: readFileSync(path.join(fontDir, 'DejaVuSans-Bold.ttf')),
  };
  return fontCache;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width || !current) {
      current = candidate;
    } else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines.length ? lines : [''];
}

/** A date of 1C local time as a Date for PDF metadata (read as UTC: deterministic). */
function metadataDate(onecDateTime: string): Date {
  return new Date(`${onecDateTime}Z`);
}

/** Renders a layout as an A4 PDF with DejaVu Sans embedded (subset), so Cyrillic renders. */
export async function renderPdf(
  layout: DocumentLayout,
  meta: { date: string; author: string },
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkit);
  const { regular, bold } = fonts();
  const regularFont = await pdf.embedFont(regular, { subset: true, customName: 'DejaVuSans' });
  const boldFont = await pdf.embedFont(bold, { subset: true, customName: 'DejaVuSans-Bold' });
  const at = metadataDate(meta.date);
  pdf.setTitle(layout.title);
  pdf.setAuthor(meta.author);
  pdf.setCreator('1С:Предприятие 8.3 (эмулятор payreq)');
  pdf.setProducer('payreq onec-emulator (pdf-lib)');
  pdf.setLanguage('ru-RU');
  pdf.setCreationDate(at);
  pdf.setModificationDate(at);

  const pageSize: [number, number] = [595.28, 841.89];
  const margin = 50;
  const width = pageSize[0] - margin * 2;
  let page: PDFPage = pdf.addPage(pageSize);
  let y = pageSize[1] - margin;

  for (const line of layout.lines) {
    const size = line.size ?? 10.5;
    const font = line.bold ? boldFont : regularFont;
    const leading = size * 1.35;
    y -= line.gap ?? 0;
    for (const piece of wrap(line.text, font, size, width)) {
      if (y - leading < margin) {
        page = pdf.addPage(pageSize);
        y = pageSize[1] - margin;
      }
      y -= leading;
      page.drawText(piece, { x: margin, y, size, font, color: rgb(0, 0, 0) });
    }
  }
  const pages = pdf.getPages();
  pages.forEach((p, index) => {
    p.drawText(`Стр. ${index + 1} из ${pages.length}`, {
      x: pageSize[0] - margin - 60,
      y: margin / 2,
      size: 8,
      font: regularFont,
      color: rgb(0.4, 0.4, 0.4),
    });
  });
  return pdf.save({ useObjectStreams: false });
}

/** The file name 1C gives a printed form: "Счёт на оплату СЧ-000001.pdf". */
export function documentFileName(kind: DocumentKind, number: string): string {
  return `${documentTitles[kind]} ${number}.pdf`.replace(/[\\/:*?"<>|]/g, '_');
}
