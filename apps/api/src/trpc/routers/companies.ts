import {
  createInvitation,
  joinCompany,
  listCompanies,
  myCompany,
  registerCompany,
} from '../../services/companies';
import { agentProcedure, authedProcedure, callService, router, userProcedure } from '../trpc';
import * as types from './companies.types';

/** Client companies of the standard pipeline: register, invite, join; the bank finds them. */
export const companiesRouter = router({
  /** A person with no company registers theirs (name, INN, KPP) and becomes its member. */
  register: userProcedure
    .input(types.RegisterCompanyInput)
    .output(types.CompanyView)
    .mutation(callService(registerCompany)),

  /** The caller's company, or null before they register or join one. */
  mine: userProcedure.output(types.MyCompanyOutput).query(({ ctx }) => myCompany(ctx)),

  /** A single-use link that expires: by a member, or by the bank's agent for a client. */
  invite: authedProcedure
    .input(types.CreateInvitationInput)
    .output(types.InvitationView)
    .mutation(callService(createInvitation)),

  join: userProcedure
    .input(types.JoinCompanyInput)
    .output(types.CompanyView)
    .mutation(callService(joinCompany)),

  /** The bank's agents: find the client company to file a request for. */
  list: agentProcedure
    .input(types.ListCompaniesInput)
    .output(types.ListCompaniesOutput)
    .query(callService(listCompanies)),
});
