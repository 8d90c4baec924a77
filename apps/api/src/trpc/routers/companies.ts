import {
  createInvitation,
  joinCompany,
  listCompanies,
  myCompany,
  registerCompany,
} from '../../services/companies';
import { agentProcedure, authedProcedure, router, userProcedure } from '../trpc';
import {
  CompanyView,
  CreateInvitationInput,
  InvitationView,
  JoinCompanyInput,
  ListCompaniesInput,
  ListCompaniesOutput,
  MyCompanyOutput,
  RegisterCompanyInput,
} from './companies.types';

/** Client companies of the standard pipeline: register, invite, join; the bank finds them. */
export const companiesRouter = router({
  /** A person with no company registers theirs (name, INN, KPP) and becomes its member. */
  register: userProcedure
    .input(RegisterCompanyInput)
    .output(CompanyView)
    .mutation(({ ctx, input }) => registerCompany(ctx, input)),

  /** The caller's company, or null before they register or join one. */
  mine: userProcedure.output(MyCompanyOutput).query(({ ctx }) => myCompany(ctx)),

  /** A single-use link that expires: by a member, or by the bank's agent for a client. */
  invite: authedProcedure
    .input(CreateInvitationInput)
    .output(InvitationView)
    .mutation(({ ctx, input }) => createInvitation(ctx, input)),

  join: userProcedure
    .input(JoinCompanyInput)
    .output(CompanyView)
    .mutation(({ ctx, input }) => joinCompany(ctx, input)),

  /** The bank's agents: find the client company to file a request for. */
  list: agentProcedure
    .input(ListCompaniesInput)
    .output(ListCompaniesOutput)
    .query(({ ctx, input }) => listCompanies(ctx, input)),
});
