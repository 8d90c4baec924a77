import * as contracts from '@payreq/contracts';
import * as db from '@payreq/db';
import { describe, expect, it } from 'vitest';

/** The database enums and the shared zod enums are two spellings of one list: keep them equal. */
describe('contracts and database agree', () => {
  const pairs = [
    ['RequestStatus', contracts.RequestStatus.options, db.RequestStatus],
    ['PaymentStatus', contracts.PaymentStatus.options, db.PaymentStatus],
    ['RequestSource', contracts.RequestSource.options, db.RequestSource],
    ['PaymentDirection', contracts.PaymentDirection.options, db.PaymentDirection],
    ['OfferSource', contracts.OfferSource.options, db.OfferSource],
    ['OfferStatus', contracts.OfferStatus.options, db.OfferStatus],
    ['DocumentKind', contracts.DocumentKind.options, db.DocumentKind],
    ['DocumentSource', contracts.DocumentSource.options, db.DocumentSource],
    ['DocumentRequestState', contracts.DocumentRequestState.options, db.DocumentRequestState],
    ['InHouseVisibility', contracts.InHouseVisibility.options, db.InHouseVisibility],
    ['UserRole', contracts.UserRole.options, db.UserRole],
  ] as const;

  it.each(pairs)('%s', (_name, zodValues, prismaEnum) => {
    expect([...zodValues].sort()).toEqual(Object.values(prismaEnum).sort());
  });

  it('every form field is a column of PaymentRequest', () => {
    const columns = Object.keys(db.Prisma.PaymentRequestScalarFieldEnum);
    for (const field of contracts.paymentRequestFieldNames) expect(columns).toContain(field);
  });
});
