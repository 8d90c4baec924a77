import { listNotifications, markNotificationsRead } from '../../services/notifications';
import { authedProcedure, router } from '../trpc';
import * as types from './notifications.types';

/** What the platform tells a person or an agent (deadline reminders), newest first. */
export const notificationsRouter = router({
  list: authedProcedure
    .input(types.ListNotificationsInput)
    .output(types.ListNotificationsOutput)
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.actor, ctx.locale, input)),

  markRead: authedProcedure
    .input(types.MarkNotificationsReadInput)
    .output(types.MarkNotificationsReadOutput)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx.db, ctx.actor, input.upTo, ctx.now())),
});
