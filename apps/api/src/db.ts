import type { Prisma, PrismaClient } from '@payreq/db';

/** The database handle services work with. */
export type Db = PrismaClient;
/** A handle inside an interactive transaction. */
export type Tx = Prisma.TransactionClient;
