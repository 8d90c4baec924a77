import type { HistoryEntry, Locale, PaymentRequestView } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';
import { actorLabel, createFormatter, historyText } from '@payreq/i18n';

import type { Db } from '../db';
import { getRequestView, historyPage } from './requests';

/**
 * The request's view with its whole history, oldest first: the view carries only the latest
 * page, the rest is read back a page at a time (the same keyset reads as the history pages).
 */
export async function viewWithFullHistory(
  db: Db,
  actor: Actor,
  requestId: string,
): Promise<PaymentRequestView> {
  const view = await getRequestView(db, actor, requestId);
  const history = [...view.history];
  let before = view.historyBefore;
  while (before !== null) {
    const page = await historyPage(db, actor, { id: requestId }, { before });
    history.unshift(...page.entries);
    before = page.before;
  }
  return { ...view, history, historyBefore: null };
}

/** One row of the audit export: when, who, what, in words, and the change as recorded. */
function rowsOf(view: PaymentRequestView, locale: Locale) {
  // Moscow time, each cell naming it («… МСК»): the file's reader may be anywhere.
  const format = createFormatter(locale);
  return (view.history ?? []).map((entry: HistoryEntry) => ({
    at: entry.at,
    atText: format.dateTime(entry.at),
    who: actorLabel(entry.actor, locale),
    what: historyText(entry.change, format),
    change: entry.change,
  }));
}

const csvCell = (value: string) =>
  /[",\n\r;]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/**
 * A request's full audit history as a file: CSV (for a spreadsheet: a BOM so Excel reads UTF-8,
 * the header in the reader's language) or JSON (the same rows, with each change as recorded).
 */
export function exportHistory(
  view: PaymentRequestView,
  format: 'csv' | 'json',
  locale: Locale,
): { fileName: string; mime: string; content: string } {
  const rows = rowsOf(view, locale);
  // «№ 000123» → payment-request-000123-history: a name any file system and mail client keeps.
  const base = `payment-request-${view.displayNumber.replace(/\D+/g, '')}-history`;
  if (format === 'json')
    return {
      fileName: `${base}.json`,
      mime: 'application/json',
      content: JSON.stringify({ request: view.displayNumber, entries: rows }, null, 2),
    };
  const header = locale === 'ru' ? ['Когда', 'Кто', 'Что'] : ['When', 'Who', 'What'];
  const lines = [header, ...rows.map((row) => [row.atText, row.who, row.what])].map((cells) =>
    cells.map(csvCell).join(','),
  );
  return { fileName: `${base}.csv`, mime: 'text/csv', content: `\uFEFF${lines.join('\r\n')}\r\n` };
}
