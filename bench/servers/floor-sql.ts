/**
 * The statements the api issues for the benchmarked procedures, verbatim as Prisma 7 sends
 * them (captured with `pnpm --filter @payreq/bench capture-sql`, which prints each call's
 * statements in order). The floor server (floor-server.ts) issues the same statements, in the
 * same order and transactions, through raw `pg`. If the services change, re-capture and
 * update this file; the run prints statements per call for api and floor side by side.
 */
export const sql = {
  agentByTelegramId:
    'SELECT "public"."Agent"."id", "public"."Agent"."tenantId", "public"."Agent"."name", "public"."Agent"."telegramId", "public"."Agent"."active", "public"."Agent"."createdAt", "public"."Agent"."updatedAt" FROM "public"."Agent" WHERE ("public"."Agent"."telegramId" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  userIdsByTelegramId:
    'SELECT "public"."User"."id" FROM "public"."User" WHERE ("public"."User"."telegramId" = $1 AND 1=1) OFFSET $2',
  userByTelegramIdAndId:
    'SELECT "public"."User"."id", "public"."User"."telegramId", "public"."User"."name", "public"."User"."tenantId", "public"."User"."role"::text, "public"."User"."locale", "public"."User"."settings", "public"."User"."createdAt", "public"."User"."updatedAt" FROM "public"."User" WHERE (("public"."User"."telegramId" = $1 AND 1=1) AND "public"."User"."id" IN ($2)) LIMIT $3 OFFSET $4',
  userById:
    'SELECT "public"."User"."id", "public"."User"."telegramId", "public"."User"."name", "public"."User"."tenantId", "public"."User"."role"::text, "public"."User"."locale", "public"."User"."settings", "public"."User"."createdAt", "public"."User"."updatedAt" FROM "public"."User" WHERE "public"."User"."id" = $1 LIMIT $2 OFFSET $3',
  launchToken:
    'SELECT "public"."LaunchToken"."token", "public"."LaunchToken"."chatId", "public"."LaunchToken"."createdAt", "public"."LaunchToken"."revokedAt" FROM "public"."LaunchToken" WHERE ("public"."LaunchToken"."token" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  chatById:
    'SELECT "public"."TelegramChat"."id", "public"."TelegramChat"."title", "public"."TelegramChat"."type", "public"."TelegramChat"."agentId", "public"."TelegramChat"."migratedToChatId", "public"."TelegramChat"."botIsAdmin", "public"."TelegramChat"."locale", "public"."TelegramChat"."createdAt", "public"."TelegramChat"."updatedAt" FROM "public"."TelegramChat" WHERE ("public"."TelegramChat"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  chatMember:
    'SELECT "public"."ChatMember"."chatId", "public"."ChatMember"."telegramUserId", "public"."ChatMember"."name", "public"."ChatMember"."status"::text, "public"."ChatMember"."updatedAt" FROM "public"."ChatMember" WHERE (("public"."ChatMember"."chatId" = $1 AND "public"."ChatMember"."telegramUserId" = $2) AND 1=1) LIMIT $3 OFFSET $4',
  requestIdByChat:
    'SELECT "public"."PaymentRequest"."id" FROM "public"."PaymentRequest" WHERE ("public"."PaymentRequest"."telegramChatId" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  requestById:
    'SELECT "public"."PaymentRequest"."id", "public"."PaymentRequest"."number", "public"."PaymentRequest"."tenantId", "public"."PaymentRequest"."source"::text, "public"."PaymentRequest"."telegramChatId", "public"."PaymentRequest"."agentId", "public"."PaymentRequest"."clientUserId", "public"."PaymentRequest"."status"::text, "public"."PaymentRequest"."paymentStatus"::text, "public"."PaymentRequest"."offersDeadline", "public"."PaymentRequest"."payerName", "public"."PaymentRequest"."payerTaxId", "public"."PaymentRequest"."direction"::text, "public"."PaymentRequest"."amount", "public"."PaymentRequest"."currency", "public"."PaymentRequest"."clientCurrency", "public"."PaymentRequest"."beneficiaryName", "public"."PaymentRequest"."beneficiaryCountry", "public"."PaymentRequest"."beneficiaryAddress", "public"."PaymentRequest"."beneficiaryBankName", "public"."PaymentRequest"."beneficiarySwift", "public"."PaymentRequest"."beneficiaryAccount", "public"."PaymentRequest"."purpose", "public"."PaymentRequest"."contractNumber", "public"."PaymentRequest"."contractDate", "public"."PaymentRequest"."invoiceNumber", "public"."PaymentRequest"."desiredDate", "public"."PaymentRequest"."comment", "public"."PaymentRequest"."onecRef", "public"."PaymentRequest"."onecUrl", "public"."PaymentRequest"."version", "public"."PaymentRequest"."createdAt", "public"."PaymentRequest"."updatedAt" FROM "public"."PaymentRequest" WHERE ("public"."PaymentRequest"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  tenantById:
    'SELECT "public"."Tenant"."id", "public"."Tenant"."name", "public"."Tenant"."isMaster", "public"."Tenant"."inHouseVisibility"::text, "public"."Tenant"."createdAt" FROM "public"."Tenant" WHERE "public"."Tenant"."id" = $1 OFFSET $2',
  acceptedOffers:
    'SELECT "public"."Offer"."id", "public"."Offer"."agentId", "public"."Offer"."requestId" FROM "public"."Offer" WHERE ("public"."Offer"."status" = CAST($1::text AS "public"."OfferStatus") AND "public"."Offer"."requestId" = $2) OFFSET $3',
  memberStatus:
    'SELECT "public"."ChatMember"."chatId", "public"."ChatMember"."telegramUserId", "public"."ChatMember"."status"::text FROM "public"."ChatMember" WHERE (("public"."ChatMember"."chatId" = $1 AND "public"."ChatMember"."telegramUserId" = $2) AND 1=1) LIMIT $3 OFFSET $4',
  agentById:
    'SELECT "public"."Agent"."id", "public"."Agent"."tenantId", "public"."Agent"."name", "public"."Agent"."telegramId", "public"."Agent"."active", "public"."Agent"."createdAt", "public"."Agent"."updatedAt" FROM "public"."Agent" WHERE "public"."Agent"."id" = $1 OFFSET $2',
  userByIdRelation:
    'SELECT "public"."User"."id", "public"."User"."telegramId", "public"."User"."name", "public"."User"."tenantId", "public"."User"."role"::text, "public"."User"."locale", "public"."User"."settings", "public"."User"."createdAt", "public"."User"."updatedAt" FROM "public"."User" WHERE "public"."User"."id" = $1 OFFSET $2',
  documentRequests:
    'SELECT "public"."DocumentRequest"."id", "public"."DocumentRequest"."requestId", "public"."DocumentRequest"."kind"::text, "public"."DocumentRequest"."requestedBy", "public"."DocumentRequest"."state"::text, "public"."DocumentRequest"."documentId", "public"."DocumentRequest"."error", "public"."DocumentRequest"."createdAt", "public"."DocumentRequest"."updatedAt" FROM "public"."DocumentRequest" WHERE "public"."DocumentRequest"."requestId" = $1 ORDER BY "public"."DocumentRequest"."createdAt" ASC OFFSET $2',
  chatByIdRelation:
    'SELECT "public"."TelegramChat"."id", "public"."TelegramChat"."title", "public"."TelegramChat"."type", "public"."TelegramChat"."agentId", "public"."TelegramChat"."migratedToChatId", "public"."TelegramChat"."botIsAdmin", "public"."TelegramChat"."locale", "public"."TelegramChat"."createdAt", "public"."TelegramChat"."updatedAt" FROM "public"."TelegramChat" WHERE "public"."TelegramChat"."id" = $1 OFFSET $2',
  offers:
    'SELECT "public"."Offer"."id", "public"."Offer"."requestId", "public"."Offer"."agentId", "public"."Offer"."rate", "public"."Offer"."feePercent", "public"."Offer"."fixedFee", "public"."Offer"."totalToPay", "public"."Offer"."settlementDays", "public"."Offer"."validUntil", "public"."Offer"."comment", "public"."Offer"."source"::text, "public"."Offer"."status"::text, "public"."Offer"."onecRef", "public"."Offer"."createdAt", "public"."Offer"."updatedAt" FROM "public"."Offer" WHERE "public"."Offer"."requestId" = $1 ORDER BY "public"."Offer"."createdAt" ASC OFFSET $2',
  history:
    'SELECT "public"."RequestHistory"."id", "public"."RequestHistory"."requestId", "public"."RequestHistory"."actorKind", "public"."RequestHistory"."actorId", "public"."RequestHistory"."actorName", "public"."RequestHistory"."field", "public"."RequestHistory"."fromValue", "public"."RequestHistory"."toValue", "public"."RequestHistory"."at" FROM "public"."RequestHistory" WHERE "public"."RequestHistory"."requestId" = $1 ORDER BY "public"."RequestHistory"."id" ASC OFFSET $2',
  agentsInNone:
    'SELECT "public"."Agent"."id", "public"."Agent"."tenantId", "public"."Agent"."name", "public"."Agent"."telegramId", "public"."Agent"."active", "public"."Agent"."createdAt", "public"."Agent"."updatedAt" FROM "public"."Agent" WHERE "public"."Agent"."id" IN (NULL) OFFSET $1',
  documents:
    'SELECT "public"."Document"."id", "public"."Document"."requestId", "public"."Document"."kind"::text, "public"."Document"."fileName", "public"."Document"."mime", "public"."Document"."size", "public"."Document"."sha256", "public"."Document"."assetId", "public"."Document"."source"::text, "public"."Document"."onecId", "public"."Document"."telegramMessageId", "public"."Document"."createdAt" FROM "public"."Document" WHERE "public"."Document"."requestId" = $1 ORDER BY "public"."Document"."createdAt" ASC OFFSET $2',
  userByIdUnique:
    'SELECT "public"."User"."id", "public"."User"."telegramId", "public"."User"."name", "public"."User"."tenantId", "public"."User"."role"::text, "public"."User"."locale", "public"."User"."settings", "public"."User"."createdAt", "public"."User"."updatedAt" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  lockRequest: 'SELECT id FROM "PaymentRequest" WHERE id = $1::uuid FOR UPDATE',
  updateRequestForm:
    'UPDATE "public"."PaymentRequest" SET "payerName" = $1, "payerTaxId" = $2, "direction" = CAST($3::text AS "public"."PaymentDirection"), "amount" = $4, "currency" = $5, "clientCurrency" = $6, "beneficiaryName" = $7, "beneficiaryCountry" = $8, "beneficiaryAddress" = $9, "beneficiaryBankName" = $10, "beneficiarySwift" = $11, "beneficiaryAccount" = $12, "purpose" = $13, "contractNumber" = $14, "contractDate" = $15, "invoiceNumber" = $16, "comment" = $17, "version" = ("public"."PaymentRequest"."version" + $18), "updatedAt" = $19 WHERE ("public"."PaymentRequest"."id" = $20 AND "public"."PaymentRequest"."version" = $21)',
  insertHistoryRow:
    'INSERT INTO "public"."RequestHistory" ("requestId","actorKind","actorId","actorName","field","fromValue","toValue","at") VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
  chatExists:
    'SELECT "public"."TelegramChat"."id" FROM "public"."TelegramChat" WHERE ("public"."TelegramChat"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  tenantByIdUnique:
    'SELECT "public"."Tenant"."id", "public"."Tenant"."name", "public"."Tenant"."isMaster", "public"."Tenant"."inHouseVisibility"::text, "public"."Tenant"."createdAt" FROM "public"."Tenant" WHERE ("public"."Tenant"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3',
  /** `saveChatMessages` → `upsertChatMessageRows` (apps/api/src/services/chat-messages.ts). */
  upsertChatMessages: `
    INSERT INTO "ChatMessage" (id, "chatId", "messageId", "authorTelegramId", "authorName", text, date, "editDate",
      "replyToMessageId", "mediaGroupId", kind, "assetId", "fileTooBig", "createdAt", "updatedAt")
    SELECT gen_random_uuid(), $1, m.message_id, m.author_id, m.author_name, m.text, m.date, m.edit_date,
      m.reply_to, m.media_group, m.kind, m.asset_id, m.too_big, now(), now()
    FROM unnest(
      $2::int[],
      $3::bigint[],
      $4::text[],
      $5::text[],
      $6::timestamptz[],
      $7::timestamptz[],
      $8::int[],
      $9::text[],
      $10::text[],
      $11::uuid[],
      $12::boolean[]
    ) AS m(message_id, author_id, author_name, text, date, edit_date, reply_to, media_group, kind, asset_id, too_big)
    ON CONFLICT ("chatId", "messageId") DO UPDATE SET
      text = EXCLUDED.text,
      "editDate" = EXCLUDED."editDate",
      "assetId" = COALESCE(EXCLUDED."assetId", "ChatMessage"."assetId"),
      "fileTooBig" = EXCLUDED."fileTooBig",
      "authorName" = COALESCE(EXCLUDED."authorName", "ChatMessage"."authorName"),
      "updatedAt" = now()
    WHERE "ChatMessage".text IS DISTINCT FROM EXCLUDED.text
       OR "ChatMessage"."editDate" IS DISTINCT FROM EXCLUDED."editDate"
       OR (EXCLUDED."assetId" IS NOT NULL AND "ChatMessage"."assetId" IS DISTINCT FROM EXCLUDED."assetId")
       OR "ChatMessage"."fileTooBig" IS DISTINCT FROM EXCLUDED."fileTooBig"
    RETURNING (xmax = 0) AS inserted`,
  /** `markAuthors` (same file). */
  markAuthors: `
    INSERT INTO "ChatMember" ("chatId", "telegramUserId", name, status, "updatedAt")
    SELECT $1, a.id, a.name, 'MEMBER', now()
    FROM unnest($2::bigint[], $3::text[]) AS a(id, name)
    ON CONFLICT ("chatId", "telegramUserId") DO UPDATE SET
      status = CASE WHEN "ChatMember".status = 'LEFT' THEN 'MEMBER'::"ChatMemberStatus" ELSE "ChatMember".status END,
      name = COALESCE(EXCLUDED.name, "ChatMember".name),
      "updatedAt" = now()`,
};

/** `prisma.agent.findMany({ where: { id: { in } } })` as the offers' nested `agent` include sends it. */
export function agentsIn(count: number): string {
  if (count === 0) return sql.agentsInNone;
  const list = Array.from({ length: count }, (_, index) => `$${index + 1}`).join(',');
  return sql.agentsInNone.replace('IN (NULL) OFFSET $1', `IN (${list}) OFFSET $${count + 1}`);
}

/** `requestHistory.createMany` with `rows` rows of 8 columns (`fromValue` may be NULL). */
export function insertHistory(rows: number): string {
  const head = sql.insertHistoryRow.slice(
    0,
    sql.insertHistoryRow.indexOf('VALUES') + 'VALUES'.length,
  );
  const values = Array.from({ length: rows }, (_, row) => {
    const base = row * 8;
    return `(${Array.from({ length: 8 }, (_, column) => `$${base + column + 1}`).join(',')})`;
  });
  return `${head} ${values.join(', ')}`;
}
