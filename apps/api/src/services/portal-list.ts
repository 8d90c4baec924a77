import type { PortalListInput } from '@payreq/contracts';
import type { Prisma } from '@payreq/db';
import type { z } from 'zod';

/**
 * The spellings of a search a case-insensitive match should also try. PostgreSQL's ILIKE folds
 * case by the database's locale, and a database made with the C locale folds only ASCII: «счёт»
 * would not find «Счёт». Trying the words as typed, lower-case, upper-case and capitalised finds
 * them in the way people write, whatever the locale.
 */
export function spellingsOf(search: string): string[] {
  const lower = search.toLocaleLowerCase('ru');
  const capitalised = lower.charAt(0).toLocaleUpperCase('ru') + lower.slice(1);
  return [...new Set([search, lower, search.toLocaleUpperCase('ru'), capitalised])];
}

/** `contains` (any case) on one text column, for each spelling of the search. */
export function containsAnySpelling<K extends string>(
  column: K,
  search: string,
): Record<K, { contains: string; mode: 'insensitive' }>[] {
  return spellingsOf(search).map(
    (spelling) =>
      ({ [column]: { contains: spelling, mode: 'insensitive' } }) as Record<
        K,
        { contains: string; mode: 'insensitive' }
      >,
  );
}

/**
 * The portal's search and filters as conditions on requests. A search of digits is a request
 * number, the start of an INN, or an amount; a decimal is an amount; words are a client's,
 * a beneficiary's or a deal room's name (any case). The number and the amount every caller who
 * lists a request sees; the rest is searched only where the caller sees it (`seenInFull`).
 */
export function portalFilters(
  input: z.output<typeof PortalListInput>,
  now: Date,
  seenInFull: Prisma.PaymentRequestWhereInput,
): Prisma.PaymentRequestWhereInput[] {
  const filters: Prisma.PaymentRequestWhereInput[] = [];
  if (input.paymentStatus?.length) filters.push({ paymentStatus: { in: input.paymentStatus } });
  if (input.agentId)
    filters.push({
      OR: [
        { agentId: input.agentId },
        { offers: { some: { agentId: input.agentId, status: 'ACCEPTED' } } },
      ],
    });
  if (input.createdWithinDays)
    filters.push({
      createdAt: { gte: new Date(now.getTime() - input.createdWithinDays * 86_400_000) },
    });
  const search = input.search?.replace(/^№\s*/, '').trim();
  if (search) {
    const or: Prisma.PaymentRequestWhereInput[] = [];
    const detail: Prisma.PaymentRequestWhereInput[] = [];
    const amount = search.replace(/[\s\u00a0]/g, '').replace(',', '.');
    if (/^\d+$/.test(search)) {
      const number = Number(search);
      if (Number.isSafeInteger(number) && number <= 2_147_483_647) or.push({ number });
      detail.push({ payerTaxId: { startsWith: search } });
    }
    if (/^\d{1,16}(\.\d{1,2})?$/.test(amount)) or.push({ amount: { equals: amount } });
    if (/\p{L}/u.test(search)) {
      for (const spelling of spellingsOf(search)) {
        const text = { contains: spelling, mode: 'insensitive' as const };
        detail.push(
          { payerName: text },
          { beneficiaryName: text },
          { chat: { title: text } },
          { clientUser: { name: text } },
        );
      }
    }
    if (detail.length > 0) or.push({ AND: [seenInFull, { OR: detail }] });
    filters.push(or.length > 0 ? { OR: or } : { id: { in: [] } });
  }
  return filters;
}
