import type { PaymentRequestFields, PaymentRequestPatchInput } from '@payreq/contracts';
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

/** Every field of the form, none filled in (a new draft). */
export const emptyFields: PaymentRequestFields = {
  payerName: null,
  payerTaxId: null,
  direction: null,
  amount: null,
  currency: null,
  clientCurrency: null,
  beneficiaryName: null,
  beneficiaryCountry: null,
  beneficiaryAddress: null,
  beneficiaryBankName: null,
  beneficiarySwift: null,
  beneficiaryAccount: null,
  purpose: null,
  contractNumber: null,
  contractDate: null,
  invoiceNumber: null,
  desiredDate: null,
  comment: null,
};

/** `completeForm` as the stored record the domain rules read: the fields it leaves out are empty. */
export const completeFields: PaymentRequestFields = { ...emptyFields, ...completeForm };

/** An offer as 1C's operator enters it in the emulator: 1C computes it, the platform takes it. */
export const operatorOffer = {
  rate: '12.85',
  feePercent: '1.5',
  fixedFee: '50.00',
  settlementDays: 3,
  validUntil: '2030-12-31T18:00:00',
  comment: 'Курс на сегодня',
};

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
  client: { id: string; telegramId: bigint | null };
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

/**
 * A PDF document from 1C for a request, as the api keeps one: its bytes in the file store, its
 * Asset and its Document row (no outbox message: each test queues what it needs).
 */
export async function storeOnecDocument(
  prisma: PrismaClient,
  files: { put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }> },
  document: { requestId: string; bytes: Buffer; fileName: string },
) {
  const stored = await files.put(document.bytes);
  const asset = await prisma.asset.create({
    data: {
      sha256: stored.sha256,
      storageKey: stored.key,
      mime: 'application/pdf',
      size: stored.size,
      fileName: document.fileName,
    },
  });
  return prisma.document.create({
    data: {
      requestId: document.requestId,
      kind: 'INVOICE',
      fileName: document.fileName,
      mime: 'application/pdf',
      size: stored.size,
      sha256: stored.sha256,
      assetId: asset.id,
      source: 'ONEC',
    },
  });
}

/**
 * A document from 1C for a deal room's request, as the api keeps it (`storeOnecDocument`), and
 * queued for the bot to post in the room (a `telegram.document` outbox row), as 1C's post does.
 */
export async function queueOnecDocument(
  api: { prisma: PrismaClient; files: Parameters<typeof storeOnecDocument>[1] },
  to: { requestId: string; chatId: number },
  file: { bytes: Buffer; fileName: string },
) {
  const document = await storeOnecDocument(api.prisma, api.files, {
    requestId: to.requestId,
    ...file,
  });
  const outbox = await api.prisma.outboxMessage.create({
    data: {
      target: 'TELEGRAM',
      kind: 'telegram.document',
      aggregateKey: `chat:${to.chatId}`,
      payload: { requestId: to.requestId, chatId: String(to.chatId), documentId: document.id },
    },
  });
  return { document, outbox };
}

/**
 * Settings of a production api that production accepts: real-looking secrets, the real services'
 * addresses (never called by a test that only starts the api), PostgreSQL given by the test, an
 * S3 store. Tests spread it and change one thing.
 */
export const productionSettings = {
  NODE_ENV: 'production',
  PLATFORM_TOKEN_SECRET: 'a-real-platform-token-secret-0123456789',
  TELEGRAM_BOT_TOKEN: '7345610023:AAF-real-bot-token-from-botfather-0123',
  TELEGRAM_API_ROOT: 'https://api.telegram.org',
  BOT_SERVICE_TOKEN: 'a-real-bot-service-token-0123456789abcdef',
  ONEC_BASE_URL: 'https://1c.bank.example/bank',
  ONEC_PASSWORD: 'a-real-1c-password',
  ONEC_INBOUND_API_KEY: 'a-real-1c-inbound-api-key-0123456789',
  FILE_STORE: 's3',
  S3_BUCKET: 'payreq-files',
} as const;
