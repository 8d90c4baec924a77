import { CompanyView } from '@payreq/contracts';
import { z } from 'zod';

export {
  CompanyView,
  CreateInvitationInput,
  InvitationView,
  JoinCompanyInput,
  ListCompaniesInput,
  RegisterCompanyInput,
} from '@payreq/contracts';

export const MyCompanyOutput = CompanyView.nullable();
export const ListCompaniesOutput = z.array(CompanyView);
