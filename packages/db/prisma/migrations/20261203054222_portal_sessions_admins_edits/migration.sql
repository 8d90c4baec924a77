-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "isAdmin" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "managedBy" TEXT NOT NULL DEFAULT 'seed';

-- CreateTable
CREATE TABLE "PortalSession" (
    "id" UUID NOT NULL,
    "tokenHash" CHAR(64) NOT NULL,
    "agentId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PortalSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentAudit" (
    "id" BIGSERIAL NOT NULL,
    "agentId" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "byAgentId" UUID,
    "byName" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentAudit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatMessageEdit" (
    "id" BIGSERIAL NOT NULL,
    "chatMessageId" UUID NOT NULL,
    "text" TEXT,
    "editedFrom" TIMESTAMPTZ(3) NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatMessageEdit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PortalSession_tokenHash_key" ON "PortalSession"("tokenHash");

-- CreateIndex
CREATE INDEX "PortalSession_agentId_idx" ON "PortalSession"("agentId");

-- CreateIndex
CREATE INDEX "AgentAudit_agentId_at_idx" ON "AgentAudit"("agentId", "at");

-- CreateIndex
CREATE INDEX "ChatMessageEdit_chatMessageId_idx" ON "ChatMessageEdit"("chatMessageId");

-- AddForeignKey
ALTER TABLE "PortalSession" ADD CONSTRAINT "PortalSession_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentAudit" ADD CONSTRAINT "AgentAudit_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatMessageEdit" ADD CONSTRAINT "ChatMessageEdit_chatMessageId_fkey" FOREIGN KEY ("chatMessageId") REFERENCES "ChatMessage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma does not model triggers): every road that changes a stored message's
-- text (the bot's mirror, a batch, a chat export) keeps the text it replaces, so the portal can
-- show an edited message with its earlier versions.
CREATE FUNCTION "ChatMessage_keep_earlier_text"() RETURNS trigger AS $$
BEGIN
  IF NEW."text" IS DISTINCT FROM OLD."text" THEN
    INSERT INTO "ChatMessageEdit" ("chatMessageId", "text", "editedFrom")
    VALUES (OLD."id", OLD."text", COALESCE(OLD."editDate", OLD."date"));
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ChatMessage_keep_earlier_text"
  BEFORE UPDATE OF "text" ON "ChatMessage"
  FOR EACH ROW EXECUTE FUNCTION "ChatMessage_keep_earlier_text"();
