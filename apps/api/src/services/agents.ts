import type { z } from 'zod';
import type { WhoIsResult } from '@payreq/contracts';
import { isOnWhitelist } from '@payreq/domain';

import type { Db } from '../db';

/** Whether a Telegram user is a whitelisted agent, for the bot's private-chat menu. */
export async function whoIs(db: Db, telegramId: number): Promise<z.infer<typeof WhoIsResult>> {
  const agent = await db.agent.findUnique({
    where: { telegramId: BigInt(telegramId) },
    include: { tenant: true },
  });
  if (!isOnWhitelist(agent)) return { isAgent: false, name: null, isMasterTenant: false };
  return { isAgent: true, name: agent.name, isMasterTenant: agent.tenant.isMaster };
}
