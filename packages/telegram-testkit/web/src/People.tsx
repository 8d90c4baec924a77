import { useState } from 'react';

import type { ChatMember, User } from '../../src/bot-api-types';
import type { BotSummary, NewPerson } from './api';
import { Avatar, fullName } from './format';
import type { Translate } from './i18n';
import { Check, Dialog, FormDialog, TextField } from './ui';

/** Everyone the stand-in's person can meet: themself, the other people and the bots. */
export interface People {
  me: User;
  users: User[];
  bots: BotSummary[];
}

/** Who the stand-in acts as: everyone the world knows, and a form to add someone. */
export function PersonPicker(props: {
  users: User[];
  t: Translate;
  onPick(user: User): void;
  onAdd(person: NewPerson): Promise<boolean>;
}) {
  const { t } = props;
  const [adding, setAdding] = useState(false);
  return (
    <main className="picker" data-testid="person-picker">
      <div className="picker-card">
        <h1>{t('whoAreYou')}</h1>
        <p className="hint">{t('whoAreYouHint')}</p>
        <ul className="picker-list">
          {props.users.map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className="list-item"
                data-testid={`person-${user.id}`}
                onClick={() => props.onPick(user)}
              >
                <Avatar id={user.id} name={fullName(user)} />
                <span className="list-item-text">
                  <strong>{fullName(user)}</strong>
                  <span className="hint">
                    {[user.username ? `@${user.username}` : null, user.language_code?.toUpperCase()]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="text-button" onClick={() => setAdding(true)}>
          + {t('addPerson')}
        </button>
      </div>
      {adding ? (
        <AddPersonDialog t={t} onClose={() => setAdding(false)} onAdd={props.onAdd} />
      ) : null}
    </main>
  );
}

function AddPersonDialog(props: {
  t: Translate;
  onClose(): void;
  onAdd(person: NewPerson): Promise<boolean>;
}) {
  const { t } = props;
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [username, setUsername] = useState('');
  const [language, setLanguage] = useState('ru');
  const add = async () =>
    firstName.trim() !== '' &&
    props.onAdd({
      first_name: firstName.trim(),
      ...(lastName.trim() ? { last_name: lastName.trim() } : {}),
      ...(username.trim() ? { username: username.trim().replace(/^@/, '') } : {}),
      language_code: language,
    });
  return (
    <FormDialog
      title={t('addPerson')}
      testId="add-person"
      cancelLabel={t('cancel')}
      submitLabel={t('add')}
      onClose={props.onClose}
      onSubmit={add}
    >
      <TextField
        label={t('firstName')}
        value={firstName}
        onChange={setFirstName}
        required
        autoFocus
      />
      <TextField label={t('lastName')} value={lastName} onChange={setLastName} />
      <TextField
        label={t('username')}
        value={username}
        onChange={setUsername}
        pattern="@?[A-Za-z][A-Za-z0-9_]{4,31}"
      />
      <label>
        {t('language')}
        <select value={language} onChange={(e) => setLanguage(e.target.value)}>
          <option value="ru">Русский</option>
          <option value="en">English</option>
        </select>
      </label>
    </FormDialog>
  );
}

/** A new group: its title, whom to invite, and the bot (as an administrator) if wanted. */
export function NewGroupDialog(props: {
  people: People;
  t: Translate;
  onClose(): void;
  onCreate(input: { title: string; members: number[]; bot: number | null }): Promise<boolean>;
}) {
  const { t } = props;
  const [title, setTitle] = useState('');
  const [members, setMembers] = useState<number[]>([]);
  const bot = props.people.bots[0];
  const [withBot, setWithBot] = useState(true);
  const others = props.people.users.filter((user) => user.id !== props.people.me.id);
  const create = async () =>
    title.trim() !== '' &&
    props.onCreate({ title: title.trim(), members, bot: withBot && bot ? bot.id : null });
  return (
    <FormDialog
      title={t('newGroup')}
      testId="new-group"
      cancelLabel={t('cancel')}
      submitLabel={t('create')}
      submitTestId="new-group-create"
      onClose={props.onClose}
      onSubmit={create}
    >
      <TextField
        label={t('groupTitle')}
        value={title}
        onChange={setTitle}
        maxLength={128}
        required
        autoFocus
        data-testid="new-group-title"
      />
      <fieldset>
        <legend>{t('members')}</legend>
        {others.map((user) => (
          <Check
            key={user.id}
            checked={members.includes(user.id)}
            testId={`new-group-member-${user.id}`}
            onChange={(checked) =>
              setMembers((current) =>
                checked ? [...current, user.id] : current.filter((id) => id !== user.id),
              )
            }
          >
            <Avatar id={user.id} name={fullName(user)} size={28} />
            {fullName(user)}
          </Check>
        ))}
      </fieldset>
      {bot ? (
        <Check checked={withBot} onChange={setWithBot} testId="new-group-bot">
          {t('addBotAsAdmin', { bot: bot.username })}
        </Check>
      ) : null}
    </FormDialog>
  );
}

/** A group's members: add, remove, make the bot an administrator, leave. */
export function GroupInfoDialog(props: {
  title: string;
  people: People;
  members: ChatMember[];
  t: Translate;
  onClose(): void;
  onAdd(user: number, isBot: boolean): Promise<boolean>;
  onRemove(user: number): Promise<boolean>;
  onPromote(user: number): Promise<boolean>;
}) {
  const { t } = props;
  const active = props.members.filter((member) =>
    ['creator', 'administrator', 'member'].includes(member.status),
  );
  const mine = active.find((member) => member.user.id === props.people.me.id)?.status;
  const canManage = mine === 'creator' || mine === 'administrator';
  const inChat = new Set(active.map((member) => member.user.id));
  const candidates = [
    ...props.people.users
      .filter((user) => !inChat.has(user.id))
      .map((user) => ({ user, isBot: false })),
    ...props.people.bots
      .filter((bot) => !inChat.has(bot.id))
      .map((bot) => ({ user: bot.user, isBot: true })),
  ];
  const [chosen, setChosen] = useState('');
  return (
    <Dialog title={props.title} onClose={props.onClose} testId="group-info">
      <h3 className="section-title">
        {t('members')} · {active.length}
      </h3>
      <ul className="member-list">
        {active.map((member) => {
          const name = fullName(member.user);
          const role =
            member.status === 'creator'
              ? t('owner')
              : member.status === 'administrator'
                ? t('admin')
                : member.user.is_bot
                  ? t('bot')
                  : '';
          return (
            <li key={member.user.id} className="member" data-testid={`member-${member.user.id}`}>
              <Avatar id={member.user.id} name={name} size={36} />
              <span className="list-item-text">
                <strong>
                  {name}
                  {member.user.id === props.people.me.id ? ` (${t('you')})` : ''}
                </strong>
                <span className="hint">
                  {[member.user.username ? `@${member.user.username}` : null, role]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </span>
              {canManage && member.user.is_bot && member.status === 'member' ? (
                <button
                  type="button"
                  className="text-button"
                  onClick={() => void props.onPromote(member.user.id)}
                >
                  {t('makeAdmin')}
                </button>
              ) : null}
              {canManage && member.status !== 'creator' && member.user.id !== props.people.me.id ? (
                <button
                  type="button"
                  className="text-button danger"
                  data-testid={`remove-${member.user.id}`}
                  onClick={() => void props.onRemove(member.user.id)}
                >
                  {t('removeMember')}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <form
        className="add-member"
        onSubmit={(event) => {
          event.preventDefault();
          const candidate = candidates.find(({ user }) => String(user.id) === chosen);
          if (candidate)
            void props.onAdd(candidate.user.id, candidate.isBot).then(() => setChosen(''));
        }}
      >
        <select
          value={chosen}
          onChange={(e) => setChosen(e.target.value)}
          aria-label={t('addMember')}
          data-testid="add-member-select"
          disabled={candidates.length === 0}
        >
          <option value="">{candidates.length === 0 ? t('noOthers') : t('choosePerson')}</option>
          {candidates.map(({ user, isBot }) => (
            <option key={user.id} value={user.id}>
              {fullName(user)}
              {isBot ? ` (@${user.username}, ${t('bot')})` : ''}
            </option>
          ))}
        </select>
        <button
          type="submit"
          className="primary-button"
          disabled={!chosen}
          data-testid="add-member"
        >
          {t('addMember')}
        </button>
      </form>
      {mine && mine !== 'creator' ? (
        <button
          type="button"
          className="text-button danger leave"
          onClick={() => void props.onRemove(props.people.me.id)}
        >
          {t('leaveGroup')}
        </button>
      ) : null}
    </Dialog>
  );
}
