import { z } from 'zod';

import { Locale, UserRole } from './enums';
import { Permission } from './permissions';

export const UserSettings = z.object({
  locale: Locale,
  timeZone: z.string().default('Europe/Moscow'),
});
export type UserSettings = z.infer<typeof UserSettings>;

/** Who the caller is, and what they may do in the bound chat (if any). */
export const UserInfo = z.object({
  userId: z.string().nullable(),
  telegramId: z.number().nullable(),
  name: z.string(),
  role: UserRole,
  tenant: z.object({ id: z.string(), name: z.string(), isMaster: z.boolean() }).nullable(),
  agentId: z.string().nullable(),
  settings: UserSettings,
  /** Permissions in the bound chat's request (or for creating one), computed by the server. */
  permissions: z.array(Permission),
});
export type UserInfo = z.infer<typeof UserInfo>;
