import { ChatId } from '@payreq/contracts';
import { z } from 'zod';

export {
  BotRequestDocumentInput,
  BotRequestDocumentResult,
  ChatSummary,
  LaunchTokenResult,
  MembershipInput,
  MigrateChatInput,
  RegisterChatInput,
  RegisterChatResult,
  SaveMessageInput,
  SaveMessagesInput,
  SaveMessagesResult,
  PrivateChatBlockedInput,
  PrivateChatStartedInput,
  WhoIsInput,
  WhoIsResult,
} from '@payreq/contracts';

export const ChatRef = z.strictObject({ chatId: ChatId });
export const Revoked = z.object({ revoked: z.number().int() });
