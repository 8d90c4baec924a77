-- AlterTable
ALTER TABLE "PaymentRequest" ADD COLUMN     "fieldsVersion" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "RequestHistory" ADD COLUMN     "comment" TEXT;

-- Requests already in flight: their fields are taken as last changed at their current version
-- (the strict reading: 1C must name what it has now).
UPDATE "PaymentRequest" SET "fieldsVersion" = "version";
