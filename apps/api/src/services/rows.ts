import type {
  Agent,
  Document,
  DocumentRequest,
  Offer,
  PaymentRequest,
  RequestHistory,
  TelegramChat,
  Tenant,
  User,
} from '@payreq/db';
import { Prisma } from '@payreq/db';
import type { PaymentRequestFieldName } from '@payreq/contracts';
import { HISTORY_PAGE_SIZE } from '@payreq/contracts';

import type { Db, Tx } from '../db';
import type { RequestViewRow } from './views';

/**
 * A request with everything its view shows, read in ONE statement: PostgreSQL builds the
 * row and its relations as one JSON value, and the columns are turned back into the types
 * Prisma gives them (Date, Decimal, BigInt). Prisma's own `include` costs one statement per
 * relation (ten for the view); its `relationJoins` preview reads nested `Decimal`s through
 * a JSON number and loses digits (prisma/prisma#25639), so it is not used here: decimals
 * and big integers travel as text.
 *
 * Each model's columns come from Prisma's list of its scalar fields, and the ones that do not
 * travel as they are (dates, decimals, big integers) are named by hand: the type demands
 * exactly those (`Revived<Model>`), so a date, decimal or big integer column added to the
 * schema fails the type check here until it is read.
 */

/** How a column travels in the JSON: as is (text, number, boolean, enum, JSON), or as text to revive. */
type Kind = 'value' | 'date' | 'decimal' | 'bigint';
type KindOf<Value> =
  NonNullable<Value> extends Date
    ? 'date'
    : NonNullable<Value> extends Prisma.Decimal
      ? 'decimal'
      : NonNullable<Value> extends bigint
        ? 'bigint'
        : 'value';
/** The model's columns that are revived from text, each with its kind. */
type Revived<Model> = {
  [Field in keyof Model as KindOf<Model[Field]> extends 'value' ? never : Field]-?: KindOf<
    Model[Field]
  >;
};

/** Every scalar field of a model with the kind it travels as. */
function columnsOf<Model>(
  fields: { readonly [Field in keyof Required<Model>]: Field },
  revived: Revived<Model>,
): Record<string, Kind> {
  const kinds: Record<string, Kind> = revived;
  return Object.fromEntries(Object.keys(fields).map((field) => [field, kinds[field] ?? 'value']));
}

const tenantColumns = columnsOf<Tenant>(Prisma.TenantScalarFieldEnum, { createdAt: 'date' });
const agentColumns = columnsOf<Agent>(Prisma.AgentScalarFieldEnum, {
  telegramId: 'bigint',
  createdAt: 'date',
  updatedAt: 'date',
});
const userColumns = columnsOf<User>(Prisma.UserScalarFieldEnum, {
  telegramId: 'bigint',
  createdAt: 'date',
  updatedAt: 'date',
});
const chatColumns = columnsOf<TelegramChat>(Prisma.TelegramChatScalarFieldEnum, {
  id: 'bigint',
  migratedToChatId: 'bigint',
  createdAt: 'date',
  updatedAt: 'date',
});
const requestColumns = columnsOf<PaymentRequest>(Prisma.PaymentRequestScalarFieldEnum, {
  telegramChatId: 'bigint',
  offersDeadline: 'date',
  amount: 'decimal',
  createdAt: 'date',
  updatedAt: 'date',
});
const offerColumns = columnsOf<Offer>(Prisma.OfferScalarFieldEnum, {
  rate: 'decimal',
  feePercent: 'decimal',
  fixedFee: 'decimal',
  totalToPay: 'decimal',
  validUntil: 'date',
  pricedAmount: 'decimal',
  createdAt: 'date',
  updatedAt: 'date',
});
const documentColumns = columnsOf<Document>(Prisma.DocumentScalarFieldEnum, { createdAt: 'date' });
const documentRequestColumns = columnsOf<DocumentRequest>(Prisma.DocumentRequestScalarFieldEnum, {
  createdAt: 'date',
  updatedAt: 'date',
});
const historyColumns = columnsOf<RequestHistory>(Prisma.RequestHistoryScalarFieldEnum, {
  id: 'bigint',
  at: 'date',
});

/** `'field', "alias"."field"` pairs for json_build_object (decimals and big integers as text). */
function pairs(alias: string, columns: Record<string, Kind>): string[] {
  return Object.entries(columns).map(([field, kind]) => {
    const column = `"${alias}"."${field}"`;
    return `'${field}', ${kind === 'decimal' || kind === 'bigint' ? `${column}::text` : column}`;
  });
}

const object = (alias: string, columns: Record<string, Kind>, extra: string[] = []) =>
  `json_build_object(${[...pairs(alias, columns), ...extra].join(', ')})`;

type JsonRow = Record<string, unknown>;

/** The JSON of one row back into the values Prisma returns for the model. */
function revive<Model>(columns: Record<string, Kind>, json: JsonRow): Model {
  const row: JsonRow = {};
  for (const field in columns) {
    const value = json[field];
    if (value === null || value === undefined) {
      row[field] = null;
      continue;
    }
    switch (columns[field]) {
      case 'date':
        row[field] = new Date(value as string);
        break;
      case 'decimal':
        row[field] = new Prisma.Decimal(value as string);
        break;
      case 'bigint':
        row[field] = BigInt(value as string);
        break;
      default:
        row[field] = value;
    }
  }
  return row as Model;
}

const one = (alias: string, table: string, columns: Record<string, Kind>, on: string) =>
  `(SELECT ${object(alias, columns)} FROM "${table}" AS "${alias}" WHERE ${on})`;

const many = (
  alias: string,
  table: string,
  columns: Record<string, Kind>,
  on: string,
  orderBy: string,
  join = '',
  extra: string[] = [],
) =>
  `(SELECT COALESCE(json_agg(${object(alias, columns, extra)} ORDER BY "${alias}"."${orderBy}"), '[]'::json)` +
  ` FROM "${table}" AS "${alias}"${join} WHERE ${on})`;

/** The request `r` and the relations of `requestViewInclude`, each ordered and limited as there. */
const viewRowJson = object('r', requestColumns, [
  `'tenant', ${one('t', 'Tenant', tenantColumns, '"t"."id" = "r"."tenantId"')}`,
  `'agent', ${one('a', 'Agent', agentColumns, '"a"."id" = "r"."agentId"')}`,
  `'clientUser', ${one('u', 'User', userColumns, '"u"."id" = "r"."clientUserId"')}`,
  `'chat', ${one('c', 'TelegramChat', chatColumns, '"c"."id" = "r"."telegramChatId"')}`,
  `'offers', ${many(
    'o',
    'Offer',
    offerColumns,
    '"o"."requestId" = "r"."id"',
    'createdAt',
    ' JOIN "Agent" AS "oa" ON "oa"."id" = "o"."agentId" JOIN "Tenant" AS "ot" ON "ot"."id" = "oa"."tenantId"',
    [`'agent', ${object('oa', agentColumns, [`'tenantName', "ot"."name"`])}`],
  )}`,
  `'documents', ${many('d', 'Document', documentColumns, '"d"."requestId" = "r"."id"', 'createdAt')}`,
  `'documentRequests', ${many(
    'dr',
    'DocumentRequest',
    documentRequestColumns,
    '"dr"."requestId" = "r"."id"',
    'createdAt',
  )}`,
  // The latest entries only (one more than a view shows, to know whether older ones exist),
  // and the latest row of each payment status (the payment marks), however long the deal.
  `'history', (SELECT COALESCE(json_agg(${object('h', historyColumns)} ORDER BY "h"."id" DESC), '[]'::json)` +
    ` FROM (SELECT * FROM "RequestHistory" WHERE "requestId" = "r"."id" ORDER BY "id" DESC LIMIT ${HISTORY_PAGE_SIZE + 1}) AS "h")`,
  `'paymentMarks', (SELECT COALESCE(json_agg(${object('h', historyColumns)} ORDER BY "h"."id"), '[]'::json)` +
    ` FROM (SELECT DISTINCT ON ("toValue") * FROM "RequestHistory" WHERE "requestId" = "r"."id" AND "field" = 'paymentStatus' ORDER BY "toValue", "id" DESC) AS "h")`,
]);

const selectViewRow = Prisma.raw(
  `SELECT ${viewRowJson} AS "row" FROM "PaymentRequest" AS "r" WHERE `,
);

function reviveViewRow(json: JsonRow): RequestViewRow {
  const revived = (value: unknown, columns: Record<string, Kind>) =>
    value === null ? null : revive(columns, value as JsonRow);
  return {
    ...revive<PaymentRequest>(requestColumns, json),
    tenant: revive<Tenant>(tenantColumns, json.tenant as JsonRow),
    agent: revived(json.agent, agentColumns) as Agent | null,
    clientUser: revived(json.clientUser, userColumns) as User | null,
    chat: revived(json.chat, chatColumns) as TelegramChat | null,
    offers: (json.offers as JsonRow[]).map((offer) => ({
      ...revive<Offer>(offerColumns, offer),
      agent: {
        ...revive<Agent>(agentColumns, offer.agent as JsonRow),
        tenant: { name: String((offer.agent as JsonRow).tenantName) },
      },
    })),
    documents: (json.documents as JsonRow[]).map((row) => revive<Document>(documentColumns, row)),
    documentRequests: (json.documentRequests as JsonRow[]).map((row) =>
      revive<DocumentRequest>(documentRequestColumns, row),
    ),
    history: (json.history as JsonRow[]).map((row) => revive<RequestHistory>(historyColumns, row)),
    paymentMarks: (json.paymentMarks as JsonRow[]).map((row) =>
      revive<RequestHistory>(historyColumns, row),
    ),
  };
}

/**
 * Up to `limit` history rows of a request before the row `before` (keyset on the id), newest
 * first, and one more when there are older ones.
 */
export function historyRowsBefore(
  db: Db | Tx,
  requestId: string,
  before: bigint,
  limit: number,
): Promise<RequestHistory[]> {
  return db.requestHistory.findMany({
    where: { requestId, id: { lt: before } },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
}

/**
 * A save's writes in ONE statement: the form's columns (with `version` + 1 and `updatedAt`,
 * only if the version is still `version`) and the history rows of the changes, in order.
 * Answers the request as updated and the history rows written, as Prisma would return them;
 * null when the version had moved (nothing written).
 */
export async function updateFieldsWithHistory(
  tx: Tx,
  input: {
    requestId: string;
    version: number;
    /** Column → value, for form columns only (see `formColumnTypes`). */
    set: Record<string, unknown>;
    updatedAt: Date;
    history: {
      actorKind: string;
      actorId: string | null;
      actorName: string;
      at: Date;
      changes: {
        field: string;
        from: Prisma.InputJsonValue | null;
        to: Prisma.InputJsonValue | null;
      }[];
    };
  },
): Promise<{ request: PaymentRequest; history: RequestHistory[] } | null> {
  const assignments = Object.entries(input.set).map(([column, value]) => {
    if (!Object.hasOwn(formColumnTypes, column)) throw new Error(`not a form column: ${column}`);
    const type = formColumnTypes[column as keyof typeof formColumnTypes];
    return Prisma.sql`${Prisma.raw(`"${column}"`)} = ${value}::${Prisma.raw(type)}`;
  });
  const { history } = input;
  const json = (value: Prisma.InputJsonValue | null) =>
    value === null ? null : JSON.stringify(value);
  const [result] = await tx.$queryRaw<{ request: JsonRow | null; history: JsonRow[] }[]>`
    WITH "u" AS (
      UPDATE "PaymentRequest" SET ${Prisma.join(assignments)}, "version" = "version" + 1, "fieldsVersion" = "version" + 1, "updatedAt" = ${input.updatedAt}::timestamptz
      WHERE "id" = ${input.requestId}::uuid AND "version" = ${input.version}::int
      RETURNING *
    ), "h" AS (
      INSERT INTO "RequestHistory" ("requestId", "actorKind", "actorId", "actorName", "field", "fromValue", "toValue", "at")
      SELECT "u"."id", ${history.actorKind}::text, ${history.actorId}::text, ${history.actorName}::text, "c"."field", "c"."fromValue"::jsonb, "c"."toValue"::jsonb, ${history.at}::timestamptz
      FROM "u", unnest(${history.changes.map((change) => change.field)}::text[], ${history.changes.map((change) => json(change.from))}::text[], ${history.changes.map((change) => json(change.to))}::text[]) WITH ORDINALITY AS "c"("field", "fromValue", "toValue", "n")
      ORDER BY "c"."n"
      RETURNING *
    )
    SELECT (SELECT ${Prisma.raw(object('u', requestColumns))} FROM "u") AS "request",
      (SELECT COALESCE(json_agg(${Prisma.raw(object('h', historyColumns))} ORDER BY "h"."id"), '[]'::json) FROM "h") AS "history"`;
  if (!result?.request) return null;
  return {
    request: revive<PaymentRequest>(requestColumns, result.request),
    history: result.history.map((row) => revive<RequestHistory>(historyColumns, row)),
  };
}

/** The form's columns (what a save may set) and the SQL type of each. */
export const formColumnTypes = {
  payerName: 'text',
  payerTaxId: 'text',
  direction: '"PaymentDirection"',
  amount: 'numeric',
  currency: 'text',
  clientCurrency: 'text',
  beneficiaryName: 'text',
  beneficiaryCountry: 'text',
  beneficiaryAddress: 'text',
  beneficiaryBankName: 'text',
  beneficiarySwift: 'text',
  beneficiaryAccount: 'text',
  purpose: 'text',
  contractNumber: 'text',
  contractDate: 'text',
  invoiceNumber: 'text',
  desiredDate: 'text',
  comment: 'text',
} as const satisfies Record<PaymentRequestFieldName, string>;

/**
 * The request with `requestViewInclude`, as `findUnique({ where, include: requestViewInclude })`
 * returns it, in one statement.
 */
export async function findRequestViewRow(
  db: Db | Tx,
  where: { id: string } | { telegramChatId: bigint },
): Promise<RequestViewRow | null> {
  const condition =
    'id' in where
      ? Prisma.sql`"r"."id" = ${where.id}::uuid`
      : Prisma.sql`"r"."telegramChatId" = ${where.telegramChatId}`;
  const rows = await db.$queryRaw<{ row: JsonRow }[]>(Prisma.sql`${selectViewRow}${condition}`);
  return rows[0] ? reviveViewRow(rows[0].row) : null;
}
