import type { BotDocumentRefusal, DocumentKind } from '@payreq/contracts';
import { documentKindLabel } from '@payreq/i18n';

/** The bot speaks the deal room's language: Russian by default, English when the chat (or user) is. */
export type Lang = 'ru' | 'en';

export function langOf(code: string | null | undefined, fallback: Lang = 'ru'): Lang {
  if (!code) return fallback;
  return code.toLowerCase().startsWith('en')
    ? 'en'
    : code.toLowerCase().startsWith('ru')
      ? 'ru'
      : fallback;
}

// ---------------------------------------------------------------- chat messages

export const texts = {
  welcome(lang: Lang, agentName: string | null): string {
    return lang === 'ru'
      ? [
          'Здравствуйте! Я бот банка для сделок по платежам.',
          agentName ? `Сделку ведёт ${agentName}.` : null,
          'Заявку на платёж заполняют и отслеживают в приложении: нажмите кнопку «Открыть заявку» ниже.',
          'Сообщения и файлы этого чата сохраняются на платформе банка вместе с заявкой; здесь же я буду сообщать о статусах и присылать документы.',
        ]
          .filter(Boolean)
          .join('\n\n')
      : [
          'Hello! I am the bank’s deal-room bot for payments.',
          agentName ? `Your manager: ${agentName}.` : null,
          'Fill in and follow the payment request in the app: press “Open the request” below.',
          'Messages and files of this chat are kept on the bank’s platform with the request; I will post status changes and documents here.',
        ]
          .filter(Boolean)
          .join('\n\n');
  },
  askAdmin(lang: Lang): string {
    return lang === 'ru'
      ? 'Пожалуйста, сделайте меня администратором группы (Управление группой → Администраторы): иначе Telegram не показывает мне сообщения участников, и переписка не сохранится.'
      : 'Please make me an administrator of this group (Manage group → Administrators): otherwise Telegram does not show me members’ messages and the conversation will not be kept.';
  },
  /** To the agent, privately: the room is not being kept, and the one step that fixes it. */
  blindToAgent(lang: Lang, title: string | null, botUsername: string): string {
    return lang === 'ru'
      ? `В группе ${title ? `«${title}»` : 'сделки'} я не вижу сообщений участников: у бота в Telegram включён режим конфиденциальности, а администратором группы меня не сделали. Переписка этой сделки не сохраняется.\n\nЧтобы исправить: откройте группу → Управление группой → Администраторы → Добавить администратора → @${botUsername}.`
      : `In ${title ? `the group “${title}”` : 'the deal’s group'} I cannot see the members’ messages: the bot’s privacy mode is on in Telegram and I am not an administrator of the group. The deal’s conversation is not being kept.\n\nTo fix it: open the group → Manage group → Administrators → Add administrator → @${botUsername}.`;
  },
  /** In the group, when the bot lost its admin rights and cannot see the members' messages. */
  demotedBlind(lang: Lang): string {
    return lang === 'ru'
      ? 'Меня убрали из администраторов: теперь Telegram не показывает мне сообщения участников, и переписка больше не сохраняется. Пожалуйста, верните мне права администратора (Управление группой → Администраторы).'
      : 'I am no longer an administrator: Telegram no longer shows me the members’ messages and the conversation is not kept any more. Please make me an administrator again (Manage group → Administrators).';
  },
  thanksAdmin(lang: Lang): string {
    return lang === 'ru'
      ? 'Спасибо! Теперь я вижу все сообщения чата и сохраняю их вместе с заявкой.'
      : 'Thank you! I can now see every message of the chat and keep it with the request.';
  },
  openButton(lang: Lang): string {
    return lang === 'ru' ? 'Открыть заявку' : 'Open the request';
  },
  refused(lang: Lang): string {
    return lang === 'ru'
      ? 'Извините, открыть сделку с ботом может только менеджер банка, подключённый к платформе. Я выхожу из этой группы. Если это ошибка, попросите вашего менеджера добавить меня.'
      : 'Sorry, only a bank manager registered on the platform can open a deal room with me, so I am leaving this group. If this is a mistake, ask your bank manager to add me.';
  },
  privateIntro(lang: Lang, hasApp: boolean): string {
    const ru = [
      'Здравствуйте! Я бот банка для сделок по платежам.',
      'Менеджер банка создаёт группу в Telegram с клиентом и добавляет меня. В группе я публикую кнопку приложения, где заполняется заявка на платёж, сообщаю о её статусах, присылаю документы и сохраняю переписку и файлы сделки на платформе банка.',
      'Чтобы начать, попросите вашего менеджера создать такую группу.',
      hasApp ? 'Приложение можно открыть и здесь — кнопкой ниже.' : null,
    ];
    const en = [
      'Hello! I am the bank’s deal-room bot for payments.',
      'A bank manager creates a Telegram group with you and adds me. There I post the button of the app where the payment request is filled in, announce its status changes, post documents, and keep the conversation and files on the bank’s platform.',
      'To start, ask your bank manager to create such a group.',
      hasApp ? 'You can also open the app here with the button below.' : null,
    ];
    return (lang === 'ru' ? ru : en).filter(Boolean).join('\n\n');
  },
  privateAgent(lang: Lang): string {
    return lang === 'ru'
      ? 'Вы — менеджер банка: создайте группу с клиентом, добавьте меня и сделайте администратором. Доска заявок — кнопкой ниже.'
      : 'You are a bank manager: create a group with the client, add me and make me an administrator. The requests board is behind the button below.';
  },
  appButton(lang: Lang): string {
    return lang === 'ru' ? 'Открыть приложение' : 'Open the app';
  },
  boardButton(lang: Lang): string {
    return lang === 'ru' ? 'Доска заявок' : 'Requests board';
  },
  startCommand(lang: Lang): string {
    return lang === 'ru' ? 'О боте и приложение' : 'About the bot and the app';
  },
  documentCommand(lang: Lang): string {
    return lang === 'ru' ? 'Запросить документ из 1С' : 'Ask 1C for a document';
  },
  documentChoose(lang: Lang, displayNumber: string): string {
    return lang === 'ru'
      ? `Какой документ запросить из 1С по заявке ${displayNumber}?`
      : `Which document should 1C prepare for payment request ${displayNumber}?`;
  },
  documentQueued(lang: Lang, kind: DocumentKind, displayNumber: string, by: string): string {
    return lang === 'ru'
      ? `Запрос в 1С отправлен: «${documentKindLabel(kind, lang)}» по заявке ${displayNumber} (запросил(а): ${by}). Документ придёт в этот чат, когда 1С его подготовит.`
      : `Asked 1C for “${documentKindLabel(kind, lang)}” for payment request ${displayNumber} (by ${by}). It will be posted here when 1C has prepared it.`;
  },
  documentTryLater(lang: Lang): string {
    return lang === 'ru'
      ? 'Не получилось передать запрос в банк. Попробуйте ещё раз через минуту.'
      : 'The request could not reach the bank just now. Please try again in a minute.';
  },
  documentQueuedShort(lang: Lang, kind: DocumentKind): string {
    return lang === 'ru'
      ? `Запрошено в 1С: ${documentKindLabel(kind, lang)}`
      : `Asked of 1C: ${documentKindLabel(kind, lang)}`;
  },
  documentRefused(lang: Lang, reason: BotDocumentRefusal): string {
    if (lang === 'en') {
      return {
        NOT_REGISTERED:
          'Sorry, documents can be asked for only in a deal room opened by a bank manager.',
        NO_REQUEST:
          'There is no payment request in this chat yet: fill it in in the app first (the “Open the request” button).',
        NOT_LINKED_AGENT:
          'Sorry, only the bank manager who runs this deal can ask 1C for documents. Please ask them.',
        NOT_ALLOWED_NOW:
          'Documents can be asked of 1C once the request has been sent to the bank and until it is closed.',
      }[reason];
    }
    return {
      NOT_REGISTERED:
        'Извините, документы можно запросить только в чате сделки, который открыл менеджер банка.',
      NO_REQUEST:
        'В этом чате пока нет заявки: сначала заполните её в приложении (кнопка «Открыть заявку»).',
      NOT_LINKED_AGENT:
        'Извините, запросить документы из 1С может только менеджер банка, который ведёт эту сделку. Пожалуйста, обратитесь к нему.',
      NOT_ALLOWED_NOW:
        'Документы можно запросить из 1С после отправки заявки в банк и до её завершения.',
    }[reason];
  },
};
