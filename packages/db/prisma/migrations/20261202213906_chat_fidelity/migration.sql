-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "forwardedFrom" JSONB,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'bot';

-- AlterTable
ALTER TABLE "TelegramChat" ADD COLUMN     "botReadsAll" BOOLEAN NOT NULL DEFAULT false;
