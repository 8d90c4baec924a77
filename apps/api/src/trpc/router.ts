import { adminRouter } from './routers/admin';
import { botRouter } from './routers/bot';
import { botOutboxRouter } from './routers/bot-outbox';
import { companiesRouter } from './routers/companies';
import { meRouter } from './routers/me';
import { miniAppRouter } from './routers/mini-app';
import { notificationsRouter } from './routers/notifications';
import { offersRouter } from './routers/offers';
import { outboxRouter } from './routers/outbox';
import { portalRouter } from './routers/portal';
import { requestsRouter } from './routers/requests';
import { standardRouter } from './routers/standard';
import { router } from './trpc';

export const appRouter = router({
  me: meRouter,
  miniApp: miniAppRouter,
  bot: botRouter,
  botOutbox: botOutboxRouter,
  requests: requestsRouter,
  offers: offersRouter,
  companies: companiesRouter,
  notifications: notificationsRouter,
  outbox: outboxRouter,
  portal: portalRouter,
  standard: standardRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
