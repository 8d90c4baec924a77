-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "buttons" JSONB;
