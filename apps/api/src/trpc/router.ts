import { botRouter } from './routers/bot';
import { meRouter } from './routers/me';
import { miniAppRouter } from './routers/mini-app';
import { offersRouter } from './routers/offers';
import { requestsRouter } from './routers/requests';
import { router } from './trpc';

export const appRouter = router({
  me: meRouter,
  miniApp: miniAppRouter,
  bot: botRouter,
  requests: requestsRouter,
  offers: offersRouter,
});

export type AppRouter = typeof appRouter;
