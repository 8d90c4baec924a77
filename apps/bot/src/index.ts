export { createBot } from './bot';
export type { BotApp, CreateBotOptions } from './bot';
export { loadConfig } from './env';
export type { BotConfig } from './env';
export { createLogger, redact } from './logger';
export { groupLaunchLink, boardUrl } from './links';
export { uploadMimeFor } from './mime';
export { DeliveryLoop } from './delivery';
