import type { PaymentRequestPatchInput } from '@payreq/contracts';
import type { PrismaClient } from '@payreq/db';

/** A form that passes every check: submit accepts it. */
export const completeForm = {
  payerName: 'ООО «Ромашка»',
  payerTaxId: '7707083893',
  direction: 'OUTGOING',
  amount: '1250000.00',
  currency: 'CNY',
  clientCurrency: 'RUB',
  beneficiaryName: 'Shenzhen Flower Trading Co., Ltd.',
  beneficiaryCountry: 'CN',
  beneficiaryAddress: 'No. 1 Flower Road, Shenzhen',
  beneficiaryBankName: 'Bank of China Shenzhen Branch',
  beneficiarySwift: 'BKCHCNBJ45A',
  beneficiaryAccount: '6217000010012345678',
  purpose: 'Оплата по контракту 15/2026 за оборудование',
  contractNumber: '15/2026',
  contractDate: '2026-10-01',
  invoiceNumber: 'INV-2026-0042',
} satisfies PaymentRequestPatchInput;

export const offerTerms = (total: string) => ({
  rate: '12.8456',
  feePercent: '1.5',
  fixedFee: '50.00',
  totalToPay: total,
  settlementDays: 3,
});

export interface World {
  bank: { id: string };
  otherTenant: { id: string };
  clientTenant: { id: string };
  client: { id: string };
  otherClient: { id: string };
  anna: { id: string; telegramId: bigint };
  boris: { id: string; telegramId: bigint };
  zoe: { id: string; telegramId: bigint };
}

/** The bank (master), another agents' tenant, a client company with two users, and three agents. */
export async function createWorld(prisma: PrismaClient): Promise<World> {
  const bank = await prisma.tenant.create({ data: { name: 'Банк', isMaster: true } });
  const otherTenant = await prisma.tenant.create({ data: { name: 'Other Agents LLC' } });
  const clientTenant = await prisma.tenant.create({ data: { name: 'ООО «Ромашка»' } });
  const client = await prisma.user.create({
    data: { name: 'Ivan Petrov', tenantId: clientTenant.id, telegramId: 5000000001n },
  });
  const otherClient = await prisma.user.create({
    data: { name: 'Olga', tenantId: clientTenant.id, telegramId: 5000000002n },
  });
  const anna = await prisma.agent.create({
    data: { name: 'Anna (bank)', tenantId: bank.id, telegramId: 7000000001n },
  });
  const boris = await prisma.agent.create({
    data: { name: 'Boris (bank)', tenantId: bank.id, telegramId: 7000000002n },
  });
  const zoe = await prisma.agent.create({
    data: { name: 'Zoe (other)', tenantId: otherTenant.id, telegramId: 7000000009n },
  });
  return {
    bank,
    otherTenant,
    clientTenant,
    client,
    otherClient,
    anna: { id: anna.id, telegramId: anna.telegramId! },
    boris: { id: boris.id, telegramId: boris.telegramId! },
    zoe: { id: zoe.id, telegramId: zoe.telegramId! },
  };
}

export const hours = (n: number) => n * 3600 * 1000;
