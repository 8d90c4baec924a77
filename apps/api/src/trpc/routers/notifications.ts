import { listNotifications, markNotificationsRead } from '../../services/notifications';
import { authedProcedure, router } from '../trpc';
import {
  ListNotificationsInput,
  ListNotificationsOutput,
  MarkNotificationsReadInput,
  MarkNotificationsReadOutput,
} from './notifications.types';

/** What the platform tells a person or an agent (deadline reminders), newest first. */
export const notificationsRouter = router({
  list: authedProcedure
    .input(ListNotificationsInput)
    .output(ListNotificationsOutput)
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.actor, ctx.locale, input)),

  markRead: authedProcedure
    .input(MarkNotificationsReadInput)
    .output(MarkNotificationsReadOutput)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx.db, ctx.actor, input.upTo, ctx.now())),
});
