-- What an offer priced: the request's amount, currency, direction and the currency its total is
-- paid in, as they were when the offer was sent (new offers are written with them).
-- AlterTable
ALTER TABLE "Offer" ADD COLUMN     "pricedAmount" DECIMAL(18,2),
ADD COLUMN     "pricedCurrency" CHAR(3),
ADD COLUMN     "pricedDirection" "PaymentDirection",
ADD COLUMN     "pricedTotalCurrency" CHAR(3);

-- Backfill: what an existing offer priced was never stored, so it is taken from its request's
-- CURRENT values. For an offer whose request changed its amount after the offer was sent, this
-- records the new amount (the old one is lost); from now on every offer keeps its own.
UPDATE "Offer" AS "o"
SET "pricedAmount" = "r"."amount",
    "pricedCurrency" = "r"."currency",
    "pricedDirection" = "r"."direction",
    "pricedTotalCurrency" = COALESCE("r"."clientCurrency", "r"."currency")
FROM "PaymentRequest" AS "r"
WHERE "r"."id" = "o"."requestId";
