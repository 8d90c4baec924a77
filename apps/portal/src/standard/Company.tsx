import { Banner, Button, Form, Row, Section, TextField } from '@payreq/ui';
import { useState } from 'react';

import { trpc } from '../api';
import { Failure } from '../parts';
import { navigate } from '../route';
import type { PortalI18n } from '../words';
import { invitationLink, issuesOf, tokenOfLink } from './api';
import { standardWords } from './words';

/** A single-use invitation link to the company, made on demand and shown once. */
export function InviteButton(props: { i18n: PortalI18n; companyId: string }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const invite = trpc.companies.invite.useMutation();
  const [copied, setCopied] = useState(false);
  const link = invite.data ? invitationLink(invite.data.token) : null;
  return (
    <div className="invite" data-testid="invite">
      <Button
        busy={invite.isPending}
        onClick={() => {
          setCopied(false);
          invite.mutate({ companyId: props.companyId });
        }}
        testId="invite-create"
      >
        {s('invite')}
      </Button>
      <Failure i18n={i18n} error={invite.error} />
      {link && invite.data ? (
        <div className="invite-link">
          <p className="muted small">
            {s('inviteReady', { when: i18n.dateTime(invite.data.expiresAt) })}
          </p>
          <div className="inline">
            <input
              className="input"
              readOnly
              value={link}
              aria-label={s('joinLink')}
              onFocus={(event) => event.target.select()}
              data-testid="invite-link"
            />
            <Button
              onClick={() =>
                void navigator.clipboard?.writeText(link).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? s('copied') : s('copy')}
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function RegisterCompany(props: { i18n: PortalI18n; onDone: () => void }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const [values, setValues] = useState({ name: '', taxId: '', kpp: '' });
  const register = trpc.companies.register.useMutation({ onSuccess: props.onDone });
  const issues = issuesOf(register.error);
  const errorOf = (name: string) =>
    issues.find((issue) => issue.path.split('.')[0] === name)?.message ?? null;
  const field = (name: 'name' | 'taxId' | 'kpp', label: string) => ({
    name: `company-${name}`,
    label,
    value: values[name],
    onChange: (value: string) => setValues((current) => ({ ...current, [name]: value })),
    error: errorOf(name),
    requiredText: i18n.t('required'),
  });
  return (
    <Section title={s('registerTitle')} testId="register-company">
      <Form
        onSubmit={() => {
          register.mutate({
            name: values.name,
            taxId: values.taxId.trim(),
            kpp: values.kpp.trim() || null,
          });
        }}
        noValidate
      >
        <TextField {...field('name', s('companyName'))} required />
        <TextField
          {...field('taxId', s('companyTaxId'))}
          inputMode="numeric"
          // Room for the spaces people type to read it («7707 083 893»); they are dropped.
          maxLength={16}
          required
        />
        <TextField
          {...field('kpp', s('companyKpp'))}
          inputMode="numeric"
          maxLength={13}
          hint={s('companyKppHint')}
        />
        {issues.length === 0 ? (
          <Failure i18n={i18n} error={register.error} testId="register-error" />
        ) : null}
        <div className="section-actions">
          <Button kind="primary" type="submit" busy={register.isPending} testId="register">
            {s('register')}
          </Button>
        </div>
      </Form>
    </Section>
  );
}

function JoinByLink(props: { i18n: PortalI18n }) {
  const s = standardWords(props.i18n.locale);
  const [text, setText] = useState('');
  const [bad, setBad] = useState(false);
  return (
    <Section title={s('joinTitle')} testId="join-by-link">
      <Form
        onSubmit={() => {
          const token = tokenOfLink(text);
          setBad(token === null);
          if (token) navigate(`/portal/join/${token}`);
        }}
        noValidate
      >
        <TextField
          name="join-link"
          label={s('joinLink')}
          value={text}
          onChange={setText}
          hint={s('joinHint')}
          error={bad ? s('joinBadLink') : null}
        />
        <div className="section-actions">
          <Button type="submit" testId="join-open">
            {s('join')}
          </Button>
        </div>
      </Form>
    </Section>
  );
}

/** A person's company: register one or join one; once a member, its card and invitations. */
export function CompanyScreen(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const utils = trpc.useUtils();
  const mine = trpc.companies.mine.useQuery();
  if (mine.isPending) return <p className="muted">{i18n.t('loading')}</p>;
  if (mine.error) return <Failure i18n={i18n} error={mine.error} />;
  const company = mine.data;
  return (
    <section data-testid="company">
      <h1 className="page-title">{s('companyTitle')}</h1>
      {company ? (
        // The name inside the card as written: a section's title is set in capitals.
        <Section testId="company-card">
          <h2 className="company-name" data-testid="company-name">
            {company.name}
          </h2>
          <Row label={s('companyTaxId')}>{company.taxId ?? i18n.t('empty')}</Row>
          {company.kpp ? <Row label={s('companyKpp')}>{company.kpp}</Row> : null}
          <p className="muted">{s('members', { n: company.members })}</p>
          <InviteButton i18n={i18n} companyId={company.id} />
        </Section>
      ) : (
        <>
          <p className="muted">{s('companyIntro')}</p>
          <div className="columns">
            <RegisterCompany
              i18n={i18n}
              onDone={() => {
                void utils.companies.mine.invalidate();
                void utils.portal.me.invalidate();
              }}
            />
            <JoinByLink i18n={i18n} />
          </div>
        </>
      )}
    </section>
  );
}

/** The page an invitation link opens: join the company it names, once. */
export function JoinScreen(props: { i18n: PortalI18n; token: string; isAgent: boolean }) {
  const { i18n } = props;
  const s = standardWords(i18n.locale);
  const utils = trpc.useUtils();
  const mine = trpc.companies.mine.useQuery(undefined, { enabled: !props.isAgent });
  const join = trpc.companies.join.useMutation({
    onSuccess: () => {
      void utils.companies.mine.invalidate();
      void utils.portal.me.invalidate();
    },
  });
  return (
    <section data-testid="join-page">
      <h1 className="page-title">{s('joinPageTitle')}</h1>
      {props.isAgent ? (
        <Banner tone="warning">{s('joinAgent')}</Banner>
      ) : join.data ? (
        <>
          <Banner tone="success" testId="joined">
            {s('joined', { name: join.data.name })}
          </Banner>
          <Button kind="primary" onClick={() => navigate('/portal/')} testId="to-requests">
            {s('navMyRequests')}
          </Button>
        </>
      ) : mine.data ? (
        <Banner tone="info">{s('alreadyMember', { name: mine.data.name })}</Banner>
      ) : (
        <>
          <p>{s('joinPageText')}</p>
          <Failure i18n={i18n} error={join.error} testId="join-error" />
          <Button
            kind="primary"
            busy={join.isPending}
            onClick={() => join.mutate({ token: props.token })}
            testId="join"
          >
            {s('join')}
          </Button>
        </>
      )}
    </section>
  );
}
