-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "failureReason" TEXT,
ADD COLUMN     "failureStatus" INTEGER;
