import { UserInfo } from '@payreq/contracts';

import { describeMe } from '../../services/users';
import { authedProcedure, router } from '../trpc';

export const meRouter = router({
  /** Who the caller is: name, tenant, settings, role and permission list. */
  info: authedProcedure
    .output(UserInfo)
    .query(({ ctx }) => describeMe(ctx.db, ctx.actor, ctx.locale)),
});
