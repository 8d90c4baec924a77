-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "fileName" TEXT;
