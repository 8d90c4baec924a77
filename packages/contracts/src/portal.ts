import { z } from 'zod';

/** How the portal's sign-in page signs people in (Telegram's website login). */
export const PortalSignInOptions = z.object({
  /** `test-server`: the project's Telegram test server's login page; `telegram`: the Login Widget. */
  provider: z.enum(['test-server', 'telegram']),
  /** The login page to send the browser to (test server), with `origin` and `return_to` to add. */
  testServerAuthUrl: z.string().nullable(),
  /** The bot the login is for: its numeric id (test server) and username (widget). */
  botId: z.string(),
  botUsername: z.string().nullable(),
});
export type PortalSignInOptions = z.infer<typeof PortalSignInOptions>;

/** The signed-in agent, as the portal shows them. */
export const PortalMe = z.object({
  name: z.string(),
  tenantName: z.string(),
  tenantIsMaster: z.boolean(),
  isAdmin: z.boolean(),
});
export type PortalMe = z.infer<typeof PortalMe>;

/** A Telegram user id as typed by an administrator: digits, a safe integer. */
export const TelegramUserIdInput = z
  .string()
  .trim()
  .regex(/^\d{1,16}$/, { error: 'invalid_type' })
  .refine((value) => Number.isSafeInteger(Number(value)) && Number(value) > 0, {
    error: 'invalid_type',
  });

export const AddAgentInput = z.strictObject({
  telegramId: TelegramUserIdInput,
  name: z.string().trim().min(1).max(120),
});

export const SetAgentActiveInput = z.strictObject({
  agentId: z.uuid(),
  active: z.boolean(),
});

/** One change of the whitelist, as the audit shows it. */
export const AgentAuditEntry = z.object({
  action: z.enum(['ADDED', 'DEACTIVATED', 'REACTIVATED']),
  byName: z.string(),
  at: z.string(),
});

export const WhitelistAgent = z.object({
  agentId: z.uuid(),
  name: z.string(),
  telegramId: z.string().nullable(),
  active: z.boolean(),
  isAdmin: z.boolean(),
  /** "seed" (from SEED_AGENTS) or "portal" (added here). */
  managedBy: z.enum(['seed', 'portal']),
  audit: z.array(AgentAuditEntry),
});
export type WhitelistAgent = z.infer<typeof WhitelistAgent>;

export const HistoryExportInput = z.strictObject({
  requestId: z.uuid(),
  format: z.enum(['csv', 'json']),
});

export const HistoryExport = z.object({
  fileName: z.string(),
  mime: z.string(),
  content: z.string(),
});
