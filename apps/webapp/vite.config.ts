import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

import { devTelegramLaunch } from './dev/launch-plugin.ts';
import { precompress } from './dev/precompress-plugin.ts';
import { withoutZodJsonSchema } from './dev/without-zod-json-schema.ts';

/**
 * The Mini App. `vite build` writes `dist/`, which the api serves (WEBAPP_DIST_DIR).
 * `vite` (development) proxies the api and launches the app as Telegram would, with init
 * data signed by a development bot token (dev/launch-plugin.ts); the production build
 * carries no mock (src/dev is imported only under `import.meta.env.DEV`).
 */
export default defineConfig(({ command, mode }) => {
  const env = { ...process.env, ...loadEnv(mode, process.cwd(), '') };
  const apiUrl = env.PAYREQ_API_URL ?? 'http://127.0.0.1:3000';
  return {
    plugins: [
      react(),
      command === 'serve'
        ? devTelegramLaunch({
            apiUrl,
            botToken: env.DEV_BOT_TOKEN ?? '1000000001:development-only-bot-token-xxxxxxxx',
            botServiceToken: env.DEV_BOT_SERVICE_TOKEN ?? 'development-only-bot-service-token',
            agentTelegramId: Number(env.DEV_AGENT_TELEGRAM_ID ?? 7000000001),
            clientTelegramId: Number(env.DEV_CLIENT_TELEGRAM_ID ?? 5000000001),
            chatId: Number(env.DEV_CHAT_ID ?? -1000000000001),
          })
        : null,
      withoutZodJsonSchema(),
      precompress(),
    ],
    build: {
      target: 'es2022',
      sourcemap: false,
      // Telegram's webviews load module scripts natively.
      modulePreload: { polyfill: false },
      chunkSizeWarningLimit: 600,
      rolldownOptions: {
        treeshake: {
          // The shared contracts are plain schema modules without side effects: the ones the
          // app does not use (1C REST, bot, chat) are left out of the bundle.
          moduleSideEffects: (id: string) => !id.includes('/packages/contracts/'),
        },
      },
    },
    server: {
      host: '127.0.0.1',
      port: Number(env.WEBAPP_DEV_PORT ?? 5173),
      proxy: {
        '/trpc': apiUrl,
        '/miniapp': apiUrl,
      },
    },
  };
});
