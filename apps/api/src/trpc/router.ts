import { meRouter } from './routers/me';
import { offersRouter } from './routers/offers';
import { requestsRouter } from './routers/requests';
import { router } from './trpc';

export const appRouter = router({
  me: meRouter,
  requests: requestsRouter,
  offers: offersRouter,
});

export type AppRouter = typeof appRouter;
