import type { ChangeEvent, KeyboardEvent } from 'react';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

import type { InlineKeyboardButton, Message } from '../../src/bot-api-types';
import type { UserChat } from '../../src/world-types';
import { fileUrl } from './api';
import {
  Avatar,
  dayOf,
  formattedText,
  fullName,
  peerColor,
  serviceText,
  sizeOf,
  timeOf,
} from './format';
import type { Lang, Translate } from './i18n';
import { Icon } from './icons';
import { MenuToggle } from './ui';

export interface ChatViewProps {
  chat: UserChat;
  messages: Message[];
  me: number;
  lang: Lang;
  t: Translate;
  onBack(): void;
  onInfo(): void;
  /** Each resolves whether it worked (a refusal is shown by the caller). */
  onSendText(text: string): Promise<boolean>;
  onSendFile(file: File, as: 'photo' | 'document', caption: string): Promise<boolean>;
  onStart(): Promise<boolean>;
  onButton(message: Message, button: InlineKeyboardButton): void;
  onLink(url: string): void;
}

/** The open chat: its header, the messages as bubbles (bots' buttons under theirs), the composer. */
export function ChatView(props: ChatViewProps) {
  const { chat, messages, t, lang } = props;
  const list = useRef<HTMLDivElement>(null);
  const [text, setText] = useState('');
  const [attachOpen, setAttachOpen] = useState(false);
  const [sending, setSending] = useState(false);
  const photoInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const isPrivate = chat.type === 'private';

  // New messages scroll into view; switching chats starts at the bottom.
  const last = messages.at(-1)?.message_id;
  useLayoutEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [last, chat.id]);
  // A photo takes its height only once loaded: the list keeps to the bottom if it was there
  // (someone reading further up is left where they are).
  const atBottom = useRef(true);
  const onScroll = () => {
    const element = list.current;
    // A hidden list (the Mini App has the phone's one pane) says nothing of where the reader was.
    if (element && element.clientHeight > 0)
      atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
  };
  // On a phone the Mini App takes the one pane and the list is hidden, which loses its scroll
  // position: shown again, it goes back to the bottom if that is where the reader was.
  useEffect(() => {
    const element = list.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    let hidden = element.clientHeight === 0;
    let bottomWhenHidden = atBottom.current;
    const observer = new ResizeObserver(() => {
      const nowHidden = element.clientHeight === 0;
      if (nowHidden && !hidden) bottomWhenHidden = atBottom.current;
      if (!nowHidden && hidden && bottomWhenHidden) {
        element.scrollTop = element.scrollHeight;
        atBottom.current = true;
      }
      hidden = nowHidden;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const onMediaLoad = () => {
    const element = list.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  };

  const send = async () => {
    const body = text.trim();
    if (!body || sending) return;
    setSending(true);
    try {
      if (await props.onSendText(body)) setText('');
    } finally {
      setSending(false);
    }
  };
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };
  const onFile = (as: 'photo' | 'document') => async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    setAttachOpen(false);
    if (!file) return;
    setSending(true);
    try {
      if (await props.onSendFile(file, as, text.trim())) setText('');
    } finally {
      setSending(false);
    }
  };

  const subtitle = isPrivate ? t('bot') : t('membersCount', { count: chat.memberCount });
  const days = messages.map((message) => dayOf(message.date, lang, t));
  // As Telegram groups a sender's consecutive messages: the name on the first, the avatar on the last.
  const sender = (index: number) => {
    const message = messages[index];
    if (!message || serviceText(message, t) !== undefined) return null;
    return `${days[index]}:${message.from?.id ?? ''}`;
  };
  return (
    <section className="chat" aria-label={chat.title} data-testid="chat">
      <header className="chat-header">
        <button
          type="button"
          className="icon-button narrow-only"
          aria-label={t('back')}
          data-testid="chat-back"
          onClick={props.onBack}
        >
          <Icon name="back" />
        </button>
        <button
          type="button"
          className="chat-header-title"
          onClick={isPrivate ? undefined : props.onInfo}
          data-testid="chat-info"
          disabled={isPrivate}
        >
          <Avatar id={chat.id} name={chat.title} size={40} />
          <span className="chat-header-names">
            <strong data-testid="chat-title">{chat.title}</strong>
            <span className="hint">{subtitle}</span>
          </span>
        </button>
      </header>
      <div className="messages" ref={list} onScroll={onScroll} data-testid="messages">
        <div className="messages-inner">
          {messages.length === 0 ? (
            <p className="service empty-chat">{isPrivate ? t('startHint') : t('noMessages')}</p>
          ) : null}
          {messages.map((message, index) => {
            const day = days[index]!;
            const separator =
              day !== days[index - 1] ? (
                <p className="service day" key={`day-${message.message_id}`}>
                  <span>{day}</span>
                </p>
              ) : null;
            return [
              separator,
              <Bubble
                key={message.message_id}
                message={message}
                mine={message.from?.id === props.me}
                showName={!isPrivate && sender(index - 1) !== sender(index)}
                showAvatar={!isPrivate && sender(index + 1) !== sender(index)}
                inGroup={!isPrivate}
                lang={lang}
                t={t}
                onButton={props.onButton}
                onLink={props.onLink}
                onMediaLoad={onMediaLoad}
              />,
            ];
          })}
        </div>
      </div>
      {isPrivate && messages.length === 0 ? (
        <footer className="composer composer-start">
          <button
            type="button"
            className="start-button"
            data-testid="start-bot"
            onClick={() => void props.onStart()}
          >
            {t('start')}
          </button>
        </footer>
      ) : (
        <footer className="composer">
          <div className="attach">
            <MenuToggle
              icon="attach"
              label={t('attach')}
              open={attachOpen}
              onToggle={setAttachOpen}
              testId="attach"
            />
            {attachOpen ? (
              <div className="attach-menu" role="menu">
                <button type="button" role="menuitem" onClick={() => photoInput.current?.click()}>
                  <Icon name="photo" size={20} /> {t('photo')}
                </button>
                <button type="button" role="menuitem" onClick={() => fileInput.current?.click()}>
                  <Icon name="file" size={20} /> {t('file')}
                </button>
              </div>
            ) : null}
            <input
              ref={photoInput}
              type="file"
              accept="image/*"
              hidden
              data-testid="attach-photo-input"
              onChange={(event) => void onFile('photo')(event)}
            />
            <input
              ref={fileInput}
              type="file"
              hidden
              data-testid="attach-file-input"
              onChange={(event) => void onFile('document')(event)}
            />
          </div>
          <textarea
            className="composer-input"
            rows={1}
            placeholder={t('message')}
            aria-label={t('message')}
            data-testid="composer-input"
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onKey}
          />
          <button
            type="button"
            className="send-button"
            aria-label={t('send')}
            data-testid="composer-send"
            disabled={!text.trim() || sending}
            onClick={() => void send()}
          >
            <Icon name="send" />
          </button>
        </footer>
      )}
    </section>
  );
}

function Bubble(props: {
  message: Message;
  mine: boolean;
  showName: boolean;
  showAvatar: boolean;
  inGroup: boolean;
  lang: Lang;
  t: Translate;
  onButton(message: Message, button: InlineKeyboardButton): void;
  onLink(url: string): void;
  onMediaLoad(): void;
}) {
  const { message, t, lang } = props;
  const service = serviceText(message, t);
  if (service !== undefined)
    return (
      <p className="service" data-testid="service-message">
        <span>{service}</span>
      </p>
    );
  const from = message.from;
  const name = from ? fullName(from) : '';
  const text = message.text ?? message.caption;
  const entities = message.text !== undefined ? message.entities : message.caption_entities;
  const photo = message.photo?.at(-1);
  const keyboard = message.reply_markup?.inline_keyboard ?? [];
  return (
    <div
      className={`bubble-row${props.mine ? ' bubble-row-mine' : ''}`}
      data-testid="message"
      data-message-id={message.message_id}
      data-from={from?.id}
    >
      {!props.mine && props.inGroup ? (
        props.showAvatar && from ? (
          <Avatar id={from.id} name={name} size={34} />
        ) : (
          <span className="avatar-space" aria-hidden="true" />
        )
      ) : null}
      <div className="bubble-stack">
        <div
          className={`bubble${props.mine ? ' bubble-mine' : ''}${photo && !text ? ' bubble-media' : ''}`}
        >
          {!props.mine && props.showName && from ? (
            <div className="bubble-name" style={{ color: peerColor(from.id) }}>
              {name}
              {from.is_bot ? <span className="bot-badge">{t('bot')}</span> : null}
            </div>
          ) : null}
          {photo ? (
            <a href={fileUrl(photo.file_id)} target="_blank" rel="noopener noreferrer">
              <img
                className="bubble-photo"
                src={fileUrl(photo.file_id)}
                alt={t('photoMessage')}
                width={photo.width}
                height={photo.height}
                onLoad={props.onMediaLoad}
                data-testid="message-photo"
              />
            </a>
          ) : null}
          {message.document ? (
            <a
              className="bubble-file"
              href={fileUrl(message.document.file_id, true)}
              download={message.document.file_name}
              data-testid="message-file"
            >
              <span className="file-icon" aria-hidden="true">
                {(message.document.file_name?.split('.').pop() ?? 'file').slice(0, 4).toUpperCase()}
              </span>
              <span className="file-names">
                <span className="file-name">{message.document.file_name}</span>
                <span className="hint">{sizeOf(message.document.file_size, lang)}</span>
              </span>
            </a>
          ) : null}
          {message.voice ? <p className="hint">{t('voiceMessage')}</p> : null}
          {message.video ? <p className="hint">{t('videoMessage')}</p> : null}
          {text ? (
            <div className="bubble-text" data-testid="message-text">
              {formattedText(text, entities, props.onLink)}
            </div>
          ) : null}
          <span className="bubble-meta">
            {message.edit_date ? `${t('edited')} ` : ''}
            {timeOf(message.date, lang)}
          </span>
        </div>
        {keyboard.length > 0 ? (
          <div className="keyboard">
            {keyboard.map((row, rowIndex) => (
              <div className="keyboard-row" key={rowIndex}>
                {row.map((button, index) => (
                  <button
                    type="button"
                    key={index}
                    className="keyboard-button"
                    data-testid="inline-button"
                    disabled={
                      button.url === undefined &&
                      button.callback_data === undefined &&
                      button.web_app === undefined &&
                      button.login_url === undefined
                    }
                    onClick={() => props.onButton(message, button)}
                  >
                    {button.text}
                    {button.url !== undefined || button.login_url !== undefined ? (
                      <span className="keyboard-mark">
                        <Icon name="link" size={12} />
                      </span>
                    ) : null}
                  </button>
                ))}
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}
