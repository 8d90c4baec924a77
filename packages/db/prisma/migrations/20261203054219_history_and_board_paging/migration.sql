-- DropIndex
DROP INDEX "RequestHistory_requestId_at_idx";

-- CreateIndex
CREATE INDEX "PaymentRequest_updatedAt_id_idx" ON "PaymentRequest"("updatedAt", "id");

-- CreateIndex
CREATE INDEX "RequestHistory_requestId_id_idx" ON "RequestHistory"("requestId", "id");

-- CreateIndex
CREATE INDEX "RequestHistory_requestId_field_id_idx" ON "RequestHistory"("requestId", "field", "id");
