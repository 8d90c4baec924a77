import { onecKinds, telegramKinds } from '@payreq/contracts';
import type { PortalDeadMessage } from '@payreq/contracts';
import { deliveryFailureText } from '@payreq/i18n';
import { Banner, Button, Form, InlineInput, Section, TextField } from '@payreq/ui';
import { useState } from 'react';
import type { ReactNode } from 'react';

import type { RequestListItem } from '../api';
import { failureText, trpc } from '../api';
import { useConfirm } from '../confirm';
import { Failure, FailureLines } from '../parts';
import { AppLink, requestPagePath } from '../route';
import type { PortalI18n, PortalWordKey } from '../words';
import { HistoryExport } from './HistoryExport';

/** A request found by its number (`123`, `№ 000123`), then its history's export. */
function ExportSection(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const utils = trpc.useUtils();
  const [number, setNumber] = useState('');
  const [found, setFound] = useState<RequestListItem | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const find = async () => {
    const digits = number.replace(/\D+/g, '');
    if (!digits) return;
    setFailure(null);
    try {
      const page = await utils.portal.requests.fetch({ search: digits, limit: 10 });
      setFound(
        page.items.find(
          (item) => Number(item.displayNumber.replace(/\D+/g, '')) === Number(digits),
        ) ?? null,
      );
    } catch (error) {
      setFailure(failureText(error, i18n));
    }
  };
  return (
    <Section title={i18n.p('adminExport')} testId="admin-export">
      <Form className="inline export-find" onSubmit={() => void find()}>
        <InlineInput
          label={i18n.p('adminExportNumber')}
          value={number}
          onChange={setNumber}
          testId="export-number"
        />
        <Button type="submit" testId="export-find">
          {i18n.p('adminExportFind')}
        </Button>
      </Form>
      {failure ? <Banner tone="error">{failure}</Banner> : null}
      {found === null ? <p className="muted">{i18n.p('adminExportNone')}</p> : null}
      {found ? (
        <>
          <p data-testid="export-found">
            {i18n.t('appTitle')} {found.displayNumber}
            {found.chatTitle ? ` · ${found.chatTitle}` : ''}
          </p>
          <HistoryExport i18n={i18n} requestId={found.id} />
        </>
      ) : found === undefined ? (
        <p className="muted">{i18n.p('adminExportHint')}</p>
      ) : null}
    </Section>
  );
}

function AgentsSection(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const utils = trpc.useUtils();
  const agents = trpc.admin.agents.useQuery();
  const [telegramId, setTelegramId] = useState('');
  const [name, setName] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const add = trpc.admin.addAgent.useMutation({
    onSuccess: async () => {
      setTelegramId('');
      setName('');
      setNotice(i18n.p('adminAdded'));
      await utils.admin.agents.invalidate();
    },
  });
  const setActive = trpc.admin.setAgentActive.useMutation({
    onSuccess: async (_done, input) => {
      const name = agents.data?.find((agent) => agent.agentId === input.agentId)?.name ?? '';
      setNotice(i18n.p(input.active ? 'adminReactivated' : 'adminDeactivated', { name }));
      await utils.admin.agents.invalidate();
    },
  });
  const { confirmThen, dialog } = useConfirm(i18n);
  const issue = (field: string) =>
    (add.error?.data as { issues?: { path: string; message: string }[] } | undefined)?.issues?.find(
      (candidate) => candidate.path === field,
    )?.message ?? null;
  return (
    <Section title={i18n.p('adminAgents')} testId="admin-agents">
      <Form
        className="admin-add"
        onSubmit={() => {
          setNotice(null);
          add.mutate({ telegramId, name });
        }}
      >
        <TextField
          name="telegramId"
          label={i18n.p('adminTelegramId')}
          value={telegramId}
          onChange={setTelegramId}
          inputMode="numeric"
          error={issue('telegramId')}
        />
        <TextField
          name="name"
          label={i18n.p('adminName')}
          value={name}
          onChange={setName}
          error={issue('name')}
        />
        <Button type="submit" kind="primary" busy={add.isPending} testId="add-agent">
          {i18n.p('adminAdd')}
        </Button>
      </Form>
      {!issue('telegramId') && !issue('name') ? <Failure i18n={i18n} error={add.error} /> : null}
      <Failure i18n={i18n} error={setActive.error} />
      {notice ? <Banner tone="success">{notice}</Banner> : null}
      <ul className="list" data-testid="agents">
        {(agents.data ?? []).map((agent) => (
          <li className="list-item" key={agent.agentId} data-testid="agent">
            <div className="list-main">
              <div className="list-title">
                {agent.name}{' '}
                <span
                  className={agent.active ? 'badge badge-success' : 'badge badge-danger'}
                  data-testid="agent-state"
                >
                  {agent.active ? i18n.p('adminActive') : i18n.p('adminInactive')}
                </span>
                {agent.isAdmin ? (
                  <>
                    {' '}
                    <span className="badge badge-accent">{i18n.p('adminAdmin')}</span>
                  </>
                ) : null}
              </div>
              <div className="list-meta">
                Telegram ID {agent.telegramId ?? i18n.t('empty')}
                {agent.managedBy === 'seed' ? ` · ${i18n.p('adminFromSeed')}` : ''}
              </div>
              {agent.audit.map((entry, index) => (
                <div className="list-meta" key={index} data-testid="audit">
                  {i18n.p(`audit_${entry.action}` as PortalWordKey, {
                    who: entry.byName,
                    when: i18n.dateTime(entry.at),
                  })}
                </div>
              ))}
            </div>
            {/* Switching oneself off is refused (the api's `self`): not offered. */}
            {agent.isYou ? null : (
              <div className="list-actions">
                <Button
                  kind={agent.active ? 'destructive' : 'plain'}
                  busy={setActive.isPending && setActive.variables?.agentId === agent.agentId}
                  onClick={() => {
                    setNotice(null);
                    const change = { agentId: agent.agentId, active: !agent.active };
                    // Switching off ends the agent's sessions at once: asked first; on again is not.
                    if (!agent.active) setActive.mutate(change);
                    else
                      confirmThen(
                        {
                          question: i18n.p('adminDeactivateQuestion', { name: agent.name }),
                          detail: i18n.p('adminDeactivateDetail'),
                          action: i18n.p('adminDeactivate'),
                          destructive: true,
                        },
                        () => setActive.mutate(change),
                      );
                  }}
                  testId={agent.active ? 'deactivate' : 'reactivate'}
                >
                  {agent.active ? i18n.p('adminDeactivate') : i18n.p('adminReactivate')}
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {dialog}
    </Section>
  );
}

type OutboxKind =
  (typeof telegramKinds)[keyof typeof telegramKinds] | (typeof onecKinds)[keyof typeof onecKinds];

/** Every kind the outbox carries has its words: a new kind without them does not compile. */
const kindWords: Record<OutboxKind, PortalWordKey> = {
  [onecKinds.createRequest]: 'kind_onec_createRequest',
  [onecKinds.requestDocument]: 'kind_onec_requestDocument',
  [onecKinds.updateRequest]: 'kind_onec_updateRequest',
  [telegramKinds.requestCreated]: 'kind_telegram_requestCreated',
  [telegramKinds.requestFilled]: 'kind_telegram_requestFilled',
  [telegramKinds.statusChanged]: 'kind_telegram_statusChanged',
  [telegramKinds.paymentStatusChanged]: 'kind_telegram_paymentStatusChanged',
  [telegramKinds.offerAccepted]: 'kind_telegram_offerAccepted',
  [telegramKinds.document]: 'kind_telegram_document',
  [telegramKinds.chatFileAdded]: 'kind_telegram_chatFileAdded',
  [telegramKinds.deadlineReminder]: 'kind_telegram_deadlineReminder',
};

const kindKey = (kind: string): PortalWordKey =>
  // A row written by an older release may carry a kind this one no longer names.
  (kindWords as Record<string, PortalWordKey | undefined>)[kind] ?? 'kind_other';

/** An undelivered message: what it is, about which request (a link to its page), why. */
function UndeliveredItem(props: {
  i18n: PortalI18n;
  message: PortalDeadMessage;
  testId: string;
  action?: ReactNode;
}) {
  const { i18n, message } = props;
  const { request } = message;
  return (
    <li className="list-item" data-testid={props.testId}>
      <div className="list-main">
        <div className="list-title">
          {i18n.p(kindKey(message.kind))} {i18n.p(`target_${message.target}`)}
          {message.about ? (
            <>
              {' · '}
              {request ? (
                <AppLink href={requestPagePath(request)}>{message.about}</AppLink>
              ) : (
                message.about
              )}
            </>
          ) : null}
        </div>
        <div className="list-meta">
          {i18n.dateTime(message.createdAt)} · {i18n.p('adminAttempts', { n: message.attempts })}
          {message.nextAttemptAt
            ? ` · ${i18n.p('adminNextAttempt', { when: i18n.dateTime(message.nextAttemptAt) })}`
            : ''}
        </div>
        {message.failure ? (
          <FailureLines text={deliveryFailureText(message.failure, message.target, i18n.locale)} />
        ) : null}
      </div>
      {props.action ? <div className="list-actions">{props.action}</div> : null}
    </li>
  );
}

/** Failing and still tried: seen from the first failure, not only once the attempts run out. */
function DelayedSection(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const delayed = trpc.admin.delayedMessages.useQuery(undefined, { refetchInterval: 15_000 });
  return (
    <Section title={i18n.p('adminDelayed')} testId="admin-delayed">
      <p className="muted">
        {delayed.data?.length === 0 ? i18n.p('adminDelayedNone') : i18n.p('adminDelayedHint')}
      </p>
      <ul className="list">
        {(delayed.data ?? []).map((message) => (
          <UndeliveredItem
            key={message.key}
            i18n={i18n}
            message={message}
            testId="delayed-message"
          />
        ))}
      </ul>
    </Section>
  );
}

function DeadSection(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const utils = trpc.useUtils();
  const dead = trpc.admin.deadMessages.useQuery(undefined, { refetchInterval: 15_000 });
  const [notice, setNotice] = useState<string | null>(null);
  const requeue = trpc.admin.requeue.useMutation({
    onSuccess: async () => {
      setNotice(i18n.p('adminRequeued'));
      await Promise.all([
        utils.admin.deadMessages.invalidate(),
        utils.admin.delayedMessages.invalidate(),
      ]);
    },
  });
  return (
    <Section title={i18n.p('adminDead')} testId="admin-dead">
      {notice ? <Banner tone="success">{notice}</Banner> : null}
      <Failure i18n={i18n} error={requeue.error} />
      {dead.data?.length === 0 ? (
        <p className="muted">{i18n.p('adminDeadNone')}</p>
      ) : dead.data ? (
        <p className="muted">{i18n.p('adminDeadHint')}</p>
      ) : null}
      <ul className="list">
        {(dead.data ?? []).map((message) => (
          <UndeliveredItem
            key={message.key}
            i18n={i18n}
            message={message}
            testId="dead-message"
            action={
              <Button
                busy={requeue.isPending && requeue.variables?.key === message.key}
                onClick={() => requeue.mutate({ key: message.key })}
                testId="requeue"
              >
                {i18n.p('adminRequeue')}
              </Button>
            }
          />
        ))}
      </ul>
    </Section>
  );
}

function VisibilitySection(props: { i18n: PortalI18n }) {
  const { i18n } = props;
  const utils = trpc.useUtils();
  const current = trpc.admin.inHouseVisibility.useQuery();
  const change = trpc.admin.setInHouseVisibility.useMutation({
    onSuccess: () => utils.admin.inHouseVisibility.invalidate(),
  });
  return (
    <Section title={i18n.p('adminVisibility')} testId="admin-visibility">
      {(['ALL_AGENTS', 'MASTER_ONLY'] as const).map((value) => (
        <label key={value} className="radio">
          <input
            type="radio"
            name="visibility"
            checked={current.data?.visibility === value}
            disabled={change.isPending}
            onChange={() => change.mutate({ visibility: value })}
          />{' '}
          {i18n.p(`visibility_${value}`)}
        </label>
      ))}
      <Failure i18n={i18n} error={change.error} />
    </Section>
  );
}

/** The master tenant's administration: the whitelist, the dead outbox messages, history export. */
export function Admin(props: { i18n: PortalI18n }) {
  return (
    <div className="columns" data-testid="admin">
      <AgentsSection i18n={props.i18n} />
      <div>
        <DeadSection i18n={props.i18n} />
        <DelayedSection i18n={props.i18n} />
        <VisibilitySection i18n={props.i18n} />
        <ExportSection i18n={props.i18n} />
      </div>
    </div>
  );
}
