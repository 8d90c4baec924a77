/**
 * The statements the api issues for the benchmarked procedures, verbatim as Prisma 7 sends
 * them (captured with `pnpm --filter @payreq/bench capture-sql`, which prints each call's
 * statements in order, whitespace collapsed). The floor server (floor-server.ts) issues the
 * same statements, in the same order and transactions, through raw `pg`. If the services
 * change, re-capture and update this file; the run prints statements per call for api and
 * floor side by side.
 */

/**
 * `readIdentity` (apps/api/src/auth/telegram.ts): the agent and the user of a Telegram id
 * (with their tenants), the launch token's chat and the caller's membership of it.
 * $1 Telegram id, $2 launch token.
 */
const identity =
  'SELECT a.id AS "agentId", a.name AS "agentName", a.active AS "agentActive", at.id AS "agentTenantId", at.name AS "agentTenantName", at."isMaster" AS "agentTenantIsMaster", u.id AS "userId", u.name AS "userName", u.role::text AS "userRole", u.locale AS "userLocale", ut.id AS "userTenantId", ut.name AS "userTenantName", ut."isMaster" AS "userTenantIsMaster", t.token IS NOT NULL AS "tokenFound", t."revokedAt", c.id AS "chatId", c.title AS "chatTitle", c."agentId" AS "chatAgentId", c."migratedToChatId" AS "chatMigratedToChatId", m.status::text AS "memberStatus" FROM (SELECT $1::bigint AS id, $2::text AS token) AS k LEFT JOIN "Agent" AS a ON a."telegramId" = k.id LEFT JOIN "Tenant" AS at ON at.id = a."tenantId" LEFT JOIN "User" AS u ON u."telegramId" = k.id LEFT JOIN "Tenant" AS ut ON ut.id = u."tenantId" LEFT JOIN "LaunchToken" AS t ON t.token = k.token LEFT JOIN "TelegramChat" AS c ON c.id = t."chatId" LEFT JOIN "ChatMember" AS m ON m."chatId" = c.id AND m."telegramUserId" = k.id';

/**
 * `findRequestViewRow` (apps/api/src/services/rows.ts): the request and everything its view
 * shows, as one JSON value; followed by the condition on the request.
 */
const viewRow =
  'SELECT json_build_object(\'id\', "r"."id", \'number\', "r"."number", \'tenantId\', "r"."tenantId", \'source\', "r"."source", \'telegramChatId\', "r"."telegramChatId"::text, \'agentId\', "r"."agentId", \'clientUserId\', "r"."clientUserId", \'status\', "r"."status", \'paymentStatus\', "r"."paymentStatus", \'offersDeadline\', "r"."offersDeadline", \'payerName\', "r"."payerName", \'payerTaxId\', "r"."payerTaxId", \'direction\', "r"."direction", \'amount\', "r"."amount"::text, \'currency\', "r"."currency", \'clientCurrency\', "r"."clientCurrency", \'beneficiaryName\', "r"."beneficiaryName", \'beneficiaryCountry\', "r"."beneficiaryCountry", \'beneficiaryAddress\', "r"."beneficiaryAddress", \'beneficiaryBankName\', "r"."beneficiaryBankName", \'beneficiarySwift\', "r"."beneficiarySwift", \'beneficiaryAccount\', "r"."beneficiaryAccount", \'purpose\', "r"."purpose", \'contractNumber\', "r"."contractNumber", \'contractDate\', "r"."contractDate", \'invoiceNumber\', "r"."invoiceNumber", \'desiredDate\', "r"."desiredDate", \'comment\', "r"."comment", \'onecRef\', "r"."onecRef", \'onecUrl\', "r"."onecUrl", \'version\', "r"."version", \'createdAt\', "r"."createdAt", \'updatedAt\', "r"."updatedAt", \'tenant\', (SELECT json_build_object(\'id\', "t"."id", \'name\', "t"."name", \'isMaster\', "t"."isMaster", \'inHouseVisibility\', "t"."inHouseVisibility", \'createdAt\', "t"."createdAt") FROM "Tenant" AS "t" WHERE "t"."id" = "r"."tenantId"), \'agent\', (SELECT json_build_object(\'id\', "a"."id", \'tenantId\', "a"."tenantId", \'name\', "a"."name", \'telegramId\', "a"."telegramId"::text, \'active\', "a"."active", \'createdAt\', "a"."createdAt", \'updatedAt\', "a"."updatedAt") FROM "Agent" AS "a" WHERE "a"."id" = "r"."agentId"), \'clientUser\', (SELECT json_build_object(\'id\', "u"."id", \'telegramId\', "u"."telegramId"::text, \'name\', "u"."name", \'tenantId\', "u"."tenantId", \'role\', "u"."role", \'locale\', "u"."locale", \'settings\', "u"."settings", \'createdAt\', "u"."createdAt", \'updatedAt\', "u"."updatedAt") FROM "User" AS "u" WHERE "u"."id" = "r"."clientUserId"), \'chat\', (SELECT json_build_object(\'id\', "c"."id"::text, \'title\', "c"."title", \'type\', "c"."type", \'agentId\', "c"."agentId", \'migratedToChatId\', "c"."migratedToChatId"::text, \'botIsAdmin\', "c"."botIsAdmin", \'locale\', "c"."locale", \'createdAt\', "c"."createdAt", \'updatedAt\', "c"."updatedAt") FROM "TelegramChat" AS "c" WHERE "c"."id" = "r"."telegramChatId"), \'offers\', (SELECT COALESCE(json_agg(json_build_object(\'id\', "o"."id", \'requestId\', "o"."requestId", \'agentId\', "o"."agentId", \'rate\', "o"."rate"::text, \'feePercent\', "o"."feePercent"::text, \'fixedFee\', "o"."fixedFee"::text, \'totalToPay\', "o"."totalToPay"::text, \'settlementDays\', "o"."settlementDays", \'validUntil\', "o"."validUntil", \'comment\', "o"."comment", \'source\', "o"."source", \'status\', "o"."status", \'onecRef\', "o"."onecRef", \'createdAt\', "o"."createdAt", \'updatedAt\', "o"."updatedAt", \'agent\', json_build_object(\'id\', "oa"."id", \'tenantId\', "oa"."tenantId", \'name\', "oa"."name", \'telegramId\', "oa"."telegramId"::text, \'active\', "oa"."active", \'createdAt\', "oa"."createdAt", \'updatedAt\', "oa"."updatedAt")) ORDER BY "o"."createdAt"), \'[]\'::json) FROM "Offer" AS "o" JOIN "Agent" AS "oa" ON "oa"."id" = "o"."agentId" WHERE "o"."requestId" = "r"."id"), \'documents\', (SELECT COALESCE(json_agg(json_build_object(\'id\', "d"."id", \'requestId\', "d"."requestId", \'kind\', "d"."kind", \'fileName\', "d"."fileName", \'mime\', "d"."mime", \'size\', "d"."size", \'sha256\', "d"."sha256", \'assetId\', "d"."assetId", \'source\', "d"."source", \'onecId\', "d"."onecId", \'telegramMessageId\', "d"."telegramMessageId", \'createdAt\', "d"."createdAt") ORDER BY "d"."createdAt"), \'[]\'::json) FROM "Document" AS "d" WHERE "d"."requestId" = "r"."id"), \'documentRequests\', (SELECT COALESCE(json_agg(json_build_object(\'id\', "dr"."id", \'requestId\', "dr"."requestId", \'kind\', "dr"."kind", \'requestedBy\', "dr"."requestedBy", \'state\', "dr"."state", \'documentId\', "dr"."documentId", \'error\', "dr"."error", \'createdAt\', "dr"."createdAt", \'updatedAt\', "dr"."updatedAt") ORDER BY "dr"."createdAt"), \'[]\'::json) FROM "DocumentRequest" AS "dr" WHERE "dr"."requestId" = "r"."id"), \'history\', (SELECT COALESCE(json_agg(json_build_object(\'id\', "h"."id"::text, \'requestId\', "h"."requestId", \'actorKind\', "h"."actorKind", \'actorId\', "h"."actorId", \'actorName\', "h"."actorName", \'field\', "h"."field", \'fromValue\', "h"."fromValue", \'toValue\', "h"."toValue", \'at\', "h"."at") ORDER BY "h"."id"), \'[]\'::json) FROM "RequestHistory" AS "h" WHERE "h"."requestId" = "r"."id")) AS "row" FROM "PaymentRequest" AS "r" WHERE ';

export const sql = {
  identity,
  /** The chat's request and its relations. $1 chat id. */
  viewRowByChat: `${viewRow}"r"."telegramChatId" = $1`,
  /** A request and its relations. $1 request id. */
  viewRowById: `${viewRow}"r"."id" = $1::uuid`,
  /** `saveChatRequest` (apps/api/src/services/chat-requests.ts): the chat's request, found and locked. $1 chat id. */
  lockRequestByChat: 'SELECT id FROM "PaymentRequest" WHERE "telegramChatId" = $1 FOR UPDATE',
  /**
   * `updateFieldsWithHistory` (apps/api/src/services/rows.ts) for the whole form: the UPDATE
   * ($1–$17 the form's columns in `formFields` order, $18 updatedAt, $19 id, $20 version) and
   * its history rows ($21–$23 actor kind, id, name, $24 at, $25–$27 fields, from and to as
   * JSON text), answering both as JSON.
   */
  updateFormWithHistory:
    'WITH "u" AS ( UPDATE "PaymentRequest" SET "payerName" = $1::text,"payerTaxId" = $2::text,"direction" = $3::"PaymentDirection","amount" = $4::numeric,"currency" = $5::text,"clientCurrency" = $6::text,"beneficiaryName" = $7::text,"beneficiaryCountry" = $8::text,"beneficiaryAddress" = $9::text,"beneficiaryBankName" = $10::text,"beneficiarySwift" = $11::text,"beneficiaryAccount" = $12::text,"purpose" = $13::text,"contractNumber" = $14::text,"contractDate" = $15::text,"invoiceNumber" = $16::text,"comment" = $17::text, "version" = "version" + 1, "updatedAt" = $18::timestamptz WHERE "id" = $19::uuid AND "version" = $20::int RETURNING * ), "h" AS ( INSERT INTO "RequestHistory" ("requestId", "actorKind", "actorId", "actorName", "field", "fromValue", "toValue", "at") SELECT "u"."id", $21::text, $22::text, $23::text, "c"."field", "c"."fromValue"::jsonb, "c"."toValue"::jsonb, $24::timestamptz FROM "u", unnest($25::text[], $26::text[], $27::text[]) WITH ORDINALITY AS "c"("field", "fromValue", "toValue", "n") ORDER BY "c"."n" RETURNING * ) SELECT (SELECT json_build_object(\'id\', "u"."id", \'number\', "u"."number", \'tenantId\', "u"."tenantId", \'source\', "u"."source", \'telegramChatId\', "u"."telegramChatId"::text, \'agentId\', "u"."agentId", \'clientUserId\', "u"."clientUserId", \'status\', "u"."status", \'paymentStatus\', "u"."paymentStatus", \'offersDeadline\', "u"."offersDeadline", \'payerName\', "u"."payerName", \'payerTaxId\', "u"."payerTaxId", \'direction\', "u"."direction", \'amount\', "u"."amount"::text, \'currency\', "u"."currency", \'clientCurrency\', "u"."clientCurrency", \'beneficiaryName\', "u"."beneficiaryName", \'beneficiaryCountry\', "u"."beneficiaryCountry", \'beneficiaryAddress\', "u"."beneficiaryAddress", \'beneficiaryBankName\', "u"."beneficiaryBankName", \'beneficiarySwift\', "u"."beneficiarySwift", \'beneficiaryAccount\', "u"."beneficiaryAccount", \'purpose\', "u"."purpose", \'contractNumber\', "u"."contractNumber", \'contractDate\', "u"."contractDate", \'invoiceNumber\', "u"."invoiceNumber", \'desiredDate\', "u"."desiredDate", \'comment\', "u"."comment", \'onecRef\', "u"."onecRef", \'onecUrl\', "u"."onecUrl", \'version\', "u"."version", \'createdAt\', "u"."createdAt", \'updatedAt\', "u"."updatedAt") FROM "u") AS "request", (SELECT COALESCE(json_agg(json_build_object(\'id\', "h"."id"::text, \'requestId\', "h"."requestId", \'actorKind\', "h"."actorKind", \'actorId\', "h"."actorId", \'actorName\', "h"."actorName", \'field\', "h"."field", \'fromValue\', "h"."fromValue", \'toValue\', "h"."toValue", \'at\', "h"."at") ORDER BY "h"."id"), \'[]\'::json) FROM "h") AS "history"',
  /** `saveChatMessages` (apps/api/src/services/chat-messages.ts): chat check, message upsert, authors' membership: one statement. */
  saveChatMessages:
    'WITH chat AS (SELECT id FROM "TelegramChat" WHERE id = $1), saved AS ( INSERT INTO "ChatMessage" (id, "chatId", "messageId", "authorTelegramId", "authorName", text, date, "editDate", "replyToMessageId", "mediaGroupId", kind, "assetId", "fileTooBig", "createdAt", "updatedAt") SELECT gen_random_uuid(), $2, m.message_id, m.author_id, m.author_name, m.text, m.date, m.edit_date, m.reply_to, m.media_group, m.kind, m.asset_id, m.too_big, now(), now() FROM unnest( $3::int[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::int[], $10::text[], $11::text[], $12::uuid[], $13::boolean[] ) AS m(message_id, author_id, author_name, text, date, edit_date, reply_to, media_group, kind, asset_id, too_big) WHERE EXISTS (SELECT 1 FROM chat) ON CONFLICT ("chatId", "messageId") DO UPDATE SET text = EXCLUDED.text, "editDate" = EXCLUDED."editDate", "assetId" = COALESCE(EXCLUDED."assetId", "ChatMessage"."assetId"), "fileTooBig" = EXCLUDED."fileTooBig", "authorName" = COALESCE(EXCLUDED."authorName", "ChatMessage"."authorName"), "updatedAt" = now() WHERE "ChatMessage".text IS DISTINCT FROM EXCLUDED.text OR "ChatMessage"."editDate" IS DISTINCT FROM EXCLUDED."editDate" OR (EXCLUDED."assetId" IS NOT NULL AND "ChatMessage"."assetId" IS DISTINCT FROM EXCLUDED."assetId") OR "ChatMessage"."fileTooBig" IS DISTINCT FROM EXCLUDED."fileTooBig" RETURNING (xmax = 0) AS inserted), authors AS ( INSERT INTO "ChatMember" ("chatId", "telegramUserId", name, status, "updatedAt") SELECT $14, a.id, a.name, \'MEMBER\', now() FROM unnest($15::bigint[], $16::text[]) AS a(id, name) WHERE EXISTS (SELECT 1 FROM chat) ON CONFLICT ("chatId", "telegramUserId") DO UPDATE SET status = CASE WHEN "ChatMember".status = \'LEFT\' THEN \'MEMBER\'::"ChatMemberStatus" ELSE "ChatMember".status END, name = COALESCE(EXCLUDED.name, "ChatMember".name), "updatedAt" = now()) SELECT (SELECT count(*) FROM chat)::int AS chats, (SELECT count(*) FROM saved WHERE inserted)::int AS inserted, (SELECT count(*) FROM saved WHERE NOT inserted)::int AS updated',
  /** `upsertChatMessageRows` (apps/api/src/services/chat-messages.ts): the chat import's statement (modules/chat-import.ts). */
  upsertChatMessages: `
    WITH saved AS (INSERT INTO "ChatMessage" (id, "chatId", "messageId", "authorTelegramId", "authorName", text, date, "editDate",
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
    RETURNING (xmax = 0) AS inserted)
    SELECT (count(*) FILTER (WHERE inserted))::int AS inserted,
      (count(*) FILTER (WHERE NOT inserted))::int AS updated
    FROM saved`,
};
