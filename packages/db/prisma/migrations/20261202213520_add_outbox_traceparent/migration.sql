-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "traceparent" TEXT;
