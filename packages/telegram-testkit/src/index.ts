export { DEFAULT_WEB_DIR, TelegramTestServer } from './server';
export type { CallFilter, CallRecord, TelegramTestServerOptions } from './server';
export { TelegramWorld } from './world';
export type {
  AlbumItem,
  BotInfo,
  BotRef,
  ChatInfo,
  ChatRef,
  CreateBotInput,
  CreateUserInput,
  DocumentInput,
  LaunchMiniAppInput,
  LaunchResult,
  MediaInput,
  OpenLinkResult,
  PhotoInput,
  UserMessageBase,
  UserRef,
  VideoInput,
  VoiceInput,
  BotWaitOptions,
  WaitOptions,
} from './world';
export type { UserChat } from './world-types';
export type { BotEdit, BotMessageRecord, CallbackAnswer, SentFile, StateOptions } from './state';
export { CHANNEL_BOT, GROUP_ANONYMOUS_BOT, TELEGRAM_SERVICE_USER } from './state';
export { TELEGRAM_RATE_LIMITS } from './bot-api';
export type { BotApiOptions, RateLimits, SendLimit } from './bot-api';
export type { FaultHandle, FaultKind, FaultSpec, FiredFault } from './faults';
export type { WebhookDelivery, WebhookOptions } from './webhook';
export { BotApiError, WorldError } from './errors';
export { DARK_THEME_PARAMS, DEFAULT_THEME_PARAMS } from './themes';
export {
  buildLaunchUrl,
  parseLaunchUrl,
  parseTelegramLink,
  signInitData,
  toInitDataUser,
} from './webapp';
export type {
  InitDataChat,
  InitDataParams,
  InitDataUser,
  LaunchUrlOptions,
  TelegramLink,
} from './webapp';
export { checkAgainstSpec, checkMethodResult, loadBotApiSpec } from './spec-check';
export type { BotApiSpec, SpecEntry, SpecField } from './spec-check';
export { formatText } from './text';
export type * from './bot-api-types';
export {
  CHROMIUM_FLAGS,
  addTelegramBridge,
  installTelegramBridge,
  openWatchedPage,
} from './webview';
export type { BridgeEvent, TelegramWebviewState, TelegramWebviewWindow } from './webview';
export { loginRedirectUrl, signLoginData } from './login';
export type { LoginData } from './login';
