import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { PrismaClient } from '@payreq/db';
import { completeForm } from '@payreq/testing';
import type { Browser } from 'playwright-core';

import { openDealRoom } from '../deal-room';
import { fullName, people } from '../people';
import type { Stack } from '../stack';
import type { BotMessage, TelegramMessage } from '../telegram-control';
import { TelegramControl } from '../telegram-control';
import type { RequestView } from './api';
import { botService, miniAppUser } from './api';
import { MiniApp, cells, spaces, until } from './miniapp';
import type { Narrator, Words } from './narrator';
import { num, t } from './narrator';
import type { OnecOffer } from './onec';
import { OnecOperator } from './onec';
import type { StandardResult } from './standard';
import { playStandardPipeline } from './standard';

/** Where the epic plays: the running stack, a browser, and how to tell the story. */
export interface EpicEnv {
  stack: Stack;
  browser: Browser;
  narrator: Narrator;
  /** The api's file store (content-addressed): the mirrored photo must land there. */
  filesDir: string;
  /** The database, where it can be read while the api runs (PostgreSQL; PGlite is checked after the stop). */
  db?: PrismaClient;
  /** Aborted when the user interrupts: a step cut short then says nothing of failing. */
  signal?: AbortSignal;
}

/** What the epic did, for the summary and for the checks made after it. */
export interface EpicResult {
  chatId: number;
  chatTitle: string;
  startParam: string;
  welcomeLink: string;
  requestId: string;
  displayNumber: string;
  onecRef: string;
  onecNumber: string;
  onecUrl: string;
  offer: OnecOffer;
  /** The messages Иван and Анна wrote in the group (the bot must mirror each once). */
  chatMessages: { messageId: number; kind: 'text' | 'photo'; author: number }[];
  photoSha256: string;
  documents: { kind: string; fileName: string; sha256: string; size: number }[];
  /** Every message the bot posted in the group, in order (the welcome first). */
  botMessages: BotMessage[];
  /** The standard pipeline's part (the portal), when the local Telegram test server signs in. */
  standard?: StandardResult;
  /** Which api instance served whom. */
  clientApiUrl: string;
  agentApiUrl: string;
}

/**
 * What the room's archive lacks of the bot's own messages in the group (each must be there
 * once, with its words: the bot files them itself, Telegram never sends them to it), or null.
 */
export async function botMessagesNotArchived(
  prisma: PrismaClient,
  chatId: number,
  messages: readonly BotMessage[],
): Promise<string | null> {
  const rows = await prisma.chatMessage.findMany({
    where: { chatId: BigInt(chatId), messageId: { in: messages.map((m) => m.messageId) } },
  });
  const byId = new Map(rows.map((row) => [row.messageId, row]));
  const missing = messages.filter(
    (message) => byId.get(message.messageId)?.text !== (message.text ?? message.caption ?? null),
  );
  return missing.length === 0
    ? null
    : `the archive lacks ${missing.length} of the bot's ${messages.length} messages (or their words)`;
}

/** A step of the epic did not come out as it should. */
export class StepFailure extends Error {
  constructor(
    readonly step: number,
    readonly title: Words,
    override readonly cause: unknown,
  ) {
    super(`step ${step} (${title.en}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepFailure';
  }
}

/** A step's check: throws with what was expected when it does not hold. */
function expect(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The request as the client fills it in: the tests' complete form (valid: IBAN/SWIFT/INN check
 * digits and all), the amount typed the Russian way, the dates around today.
 */
export function clientForm(): Record<string, string> {
  const day = (offset: number) =>
    new Date(Date.now() + offset * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return {
    ...completeForm,
    amount: '1 250 000,00',
    desiredDate: day(21),
    contractDate: day(-45),
  };
}

/** 1C's terms: rate RUB per CNY, fee, fixed fee; 1C computes the total. */
export const onecTerms = {
  rate: '12.8456',
  feePercent: '1.5',
  fixedFee: '5000',
  settlementDays: 3,
  comment: 'Курс зафиксирован до конца дня',
};

/** What the bot must post in the group after its welcome, each exactly once, in this order. */
export function expectedAnnouncements(displayNumber: string): { what: Words; match: RegExp }[] {
  const title = `Заявка ${displayNumber}`;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const head = (rest: string) => new RegExp(`^${escape(title)}: ${rest}`);
  return [
    {
      what: t('заявка создана', 'request created'),
      match: new RegExp(`^${escape(title)} создана`),
    },
    {
      what: t('клиент заполнил заявку', 'the client filled the request'),
      match: head('Иван Петров заполнил\\(а\\) все обязательные поля'),
    },
    {
      what: t('заявка подтверждена', 'request submitted'),
      match: head('статус «Новая in-house заявка»'),
    },
    { what: t('условия 1С приняты', '1C terms accepted'), match: head('предложение принято') },
    { what: t('заявка в работе', 'request in progress'), match: head('статус «В работе»') },
    {
      what: t('тестовый платёж отправлен', 'test payment sent'),
      match: head('Тестовый платёж отправлен'),
    },
    {
      what: t('тестовый платёж получен', 'test payment received'),
      match: head('Тестовый платёж получен'),
    },
    { what: t('платёж отправлен', 'payment sent'), match: head('Платёж отправлен') },
    { what: t('платёж получен', 'payment received'), match: head('Платёж получен') },
    {
      what: t('счёт на оплату (PDF)', 'the invoice (PDF)'),
      // With 1C's number of the document when 1C gave one: «Счёт на оплату СЧ-000001 — …».
      match: new RegExp(`^Счёт на оплату( \\S+)? — заявка ${escape(displayNumber)}`),
    },
    {
      what: t('акт (PDF)', 'the act (PDF)'),
      match: new RegExp(`^Акт( \\S+)? — заявка ${escape(displayNumber)}`),
    },
    { what: t('выплата произведена', 'payout done'), match: head('Выплата произведена') },
    { what: t('заявка исполнена', 'request completed'), match: head('статус «Исполнена»') },
  ];
}

/** An error's first line, without terminal colours (Playwright adds its call log below). */
export function briefly(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex
  return (text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0] ?? '').trim();
}

/** Calls that asked 1C to create a request, in the emulator's request log (Fastify's JSON lines). */
export function countCreateCalls(log: string): number {
  let count = 0;
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; req?: { method?: string; url?: string } };
      if (
        entry.msg === 'incoming request' &&
        entry.req?.method === 'POST' &&
        /\/hs\/[^/]+\/v1\/requests$/.test(entry.req.url ?? '')
      )
        count += 1;
    } catch {
      // not a log entry
    }
  }
  return count;
}

export const textOf = (message: BotMessage) => message.text ?? message.caption ?? '';

/**
 * The deal room's whole story (the README's first paragraph), played through the real interfaces: the Telegram test server's
 * control API for what people do in Telegram, Chromium for the Mini App, 1C's operator API for
 * what the bank's operator does; each outcome checked in the api (its procedures), in the
 * group (what the bot posted) and in 1C.
 */
export async function playEpic(env: EpicEnv): Promise<EpicResult> {
  const { stack, browser, narrator } = env;
  const control = new TelegramControl(stack.telegramRoot);
  const onec = new OnecOperator(stack.onecUrl);
  const bot = botService(stack.apiUrl, stack.serviceToken);
  // With several api instances, the client and the agent work through different ones.
  const clientApiUrl = stack.apiUrls[0]!;
  const agentApiUrl = stack.apiUrls.at(-1)!;
  const { anna, ivan } = people;
  const apps: MiniApp[] = [];
  const result: Partial<EpicResult> = { clientApiUrl, agentApiUrl, chatMessages: [] };

  let stepNumber = 0;
  const step = async <T>(title: Words, body: () => Promise<T>): Promise<T> => {
    stepNumber += 1;
    narrator.step(stepNumber, title);
    try {
      const value = await body();
      narrator.done();
      return value;
    } catch (error) {
      if (env.signal?.aborted) throw error;
      let message = briefly(error);
      // A failure in the browser: say what each Mini App shows.
      const inBrowser = /locator\.|page\.|main button|Mini App|Target page/i.test(message);
      for (const app of inBrowser ? apps : []) {
        const screen = await app.screenText();
        if (screen) message += ` | ${app.who}'s Mini App shows: ${screen}`;
      }
      narrator.fail(t(`не получилось: ${message}`, `failed: ${message}`));
      throw new StepFailure(stepNumber, title, new Error(message, { cause: error }));
    }
  };

  /**
   * Opens the Mini App in the room as `user` with a launch as Telegram makes it (signed by the
   * test server), kept to be closed at the end; with the api as that user.
   */
  const openMiniApp = async (user: number, apiUrl: string, name: string) => {
    const launch = await control.launch({
      user,
      bot: stack.botToken,
      url: `${apiUrl}/`,
      startParam: result.startParam!,
      chat: result.chatId!,
    });
    const app = await MiniApp.open(browser, launch.url, name);
    apps.push(app);
    return { app, api: miniAppUser(apiUrl, launch.initData) };
  };
  let agentApi: Awaited<ReturnType<typeof openMiniApp>>['api'];
  let clientApi: Awaited<ReturnType<typeof openMiniApp>>['api'];
  /** The request as the agent's Mini App gets it from the api. */
  const requestNow = async (): Promise<RequestView> => {
    const session = await agentApi.miniApp.session.query();
    expect(session.request, 'the api has no request for the chat');
    return session.request;
  };
  const requestUntil = (what: string, test: (request: RequestView) => boolean) =>
    until(`the api: ${what}`, async () => {
      const request = await requestNow();
      return test(request) ? request : null;
    });
  /** Waits until the bot has posted `count` messages in the group. */
  const botMessagesUntil = async (count: number, timeoutMs = 45_000) => {
    try {
      return await control.botMessages(result.chatId!, timeoutMs, count);
    } catch (error) {
      const got = await control.botMessages(result.chatId!);
      throw new Error(
        `the bot posted ${got.length} of ${count} expected messages in the group within ${timeoutMs / 1000} s`,
        { cause: error },
      );
    }
  };
  const firstLine = (message: BotMessage) => textOf(message).split('\n')[0] ?? '';
  /** Waits for the bot's `index`-th announcement in the group and tells its first line. */
  const announced = async (index: number): Promise<void> => {
    const expected = expectedAnnouncements(result.displayNumber!)[index]!;
    const messages = await botMessagesUntil(index + 2);
    const found = messages.find((message) => expected.match.test(textOf(message)));
    expect(found, `the bot did not post «${expected.what.ru}» in the group`);
    narrator.ok(t(`в группе: «${firstLine(found)}»`, `in the group: “${firstLine(found)}”`));
  };

  try {
    // ------------------------------------------------------------------ 1
    await step(
      t(
        'Анна (агент банка) создаёт группу с клиентом Иваном и добавляет бота',
        'Анна, a bank agent, creates a group with the client Иван and adds the bot',
      ),
      async () => {
        const room = await openDealRoom(control, {
          botToken: stack.botToken,
          agent: anna,
          members: [ivan],
          welcomeTimeoutMs: 0,
        });
        result.chatId = room.chatId;
        result.chatTitle = room.title;
        narrator.ok(
          t(
            `группа «${room.title}» (chat ${room.chatId}): Анна, Иван и бот — администратор`,
            `group “${room.title}” (chat ${room.chatId}): Анна, Иван and the bot as an admin`,
          ),
        );
        const summary = await until(
          'the api to register the deal room',
          async () => {
            const found = await bot.bot.chatSummary.query({ chatId: room.chatId });
            return found.registered ? found : null;
          },
          60_000,
        );
        expect(
          summary.agentName === fullName(anna),
          `the deal room's agent is ${summary.agentName}`,
        );
        narrator.ok(
          t(
            `api: комната сделки зарегистрирована за агентом ${summary.agentName} (из белого списка)`,
            `api: the deal room is registered to the agent ${summary.agentName} (on the whitelist)`,
          ),
        );
      },
    );

    // ------------------------------------------------------------------ 2
    await step(
      t(
        'Бот приветствует группу и даёт кнопку Mini App',
        'The bot welcomes the group with the Mini App button',
      ),
      async () => {
        const [welcome] = await botMessagesUntil(1);
        const link = JSON.stringify(welcome?.replyMarkup ?? {}).match(
          /"url":"([^"]+startapp=([A-Za-z0-9_-]+)[^"]*)"/,
        );
        expect(welcome && link, 'the welcome has no url button to the Mini App (startapp=…)');
        result.startParam = link[2]!;
        result.welcomeLink = link[1]!;
        narrator.ok(
          t(
            `тестовый сервер Telegram: «${firstLine(welcome)}»`,
            `the Telegram test server: “${firstLine(welcome)}”`,
          ),
        );
        narrator.ok(
          t(
            `кнопка ведёт в Mini App: ${result.welcomeLink.replace(/startapp=.*/, 'startapp=…')} (токен комнаты, ${result.startParam.length} символа)`,
            `the button opens the Mini App: ${result.welcomeLink.replace(/startapp=.*/, 'startapp=…')} (the room's ${result.startParam.length}-character token)`,
          ),
        );
      },
    );

    // ------------------------------------------------------------------ 3
    const client = await step(
      t(
        'Иван заполняет заявку в Mini App (Chromium) и сохраняет',
        'Иван fills in the request in the Mini App (Chromium) and saves it',
      ),
      async () => {
        const { app, api } = await openMiniApp(ivan.id, clientApiUrl, 'Иван');
        clientApi = api;
        await app.byTestId('request-screen').waitFor();
        const form = clientForm();
        for (const [name, value] of Object.entries(form)) {
          const field = app.byTestId(`field-${name}`);
          if (name === 'direction') await field.selectOption(value);
          else await field.fill(value);
        }
        await app.pressMainButton(/^(Сохранить|Save)$/);
        await app.byTestId('notice-success').waitFor();
        const session = await clientApi.miniApp.session.query();
        const request = session.request;
        expect(request, 'the api has no request after the save');
        expect(request.status === 'DRAFT', `status ${request.status}, expected DRAFT`);
        expect(
          request.fields.payerName === form.payerName &&
            request.fields.beneficiarySwift === form.beneficiarySwift &&
            Number(request.fields.amount) === 1_250_000,
          'the saved fields differ from what Иван typed',
        );
        result.requestId = request.id;
        result.displayNumber = request.displayNumber;
        narrator.ok(
          t(
            `api: заявка ${request.displayNumber} создана в статусе «Черновик», сумма ${num(request.amount, 2).ru} ${request.currency}`,
            `api: request ${request.displayNumber} created as DRAFT, amount ${num(request.amount, 2).en} ${request.currency}`,
          ),
        );
        await announced(0);
        await announced(1);
        await app.byTestId('status-badge').waitFor();
        narrator.ok(
          t(
            `Mini App Ивана: «${await app.text('request-number')}», «${await app.text('status-badge')}»`,
            `Иван's Mini App: “${await app.text('request-number')}”, “${await app.text('status-badge')}”`,
          ),
        );
        return app;
      },
    );

    // ------------------------------------------------------------------ 4
    const agent = await step(
      t(
        'Анна проверяет заявку в Mini App и подтверждает её',
        'Анна checks the request in the Mini App and submits it',
      ),
      async () => {
        const { app, api } = await openMiniApp(anna.id, agentApiUrl, 'Анна');
        agentApi = api;
        await app
          .byTestId('status-badge')
          .filter({ hasText: /Черновик|Draft/ })
          .waitFor();
        expect(
          (await app.byTestId('field-payerName').inputValue()) === 'ООО «Ромашка»',
          'Анна does not see what Иван saved',
        );
        const pressed = await app.pressMainButton(/^(Подтвердить заявку|Submit)/);
        await app
          .byTestId('status-badge')
          .filter({ hasText: /Новая in-house заявка|New in-house/ })
          .waitFor();
        narrator.ok(
          t(
            `Анна нажала «${pressed}» и подтвердила; Mini App: «${await app.text('status-badge')}»`,
            `Анна pressed “${pressed}” and confirmed; Mini App: “${await app.text('status-badge')}”`,
          ),
        );
        const request = await requestNow();
        expect(
          request.status === 'COLLECTING_OFFERS' && request.inHouse,
          `api: status ${request.status}, in-house ${request.inHouse}`,
        );
        narrator.ok(
          t(
            'api: статус COLLECTING_OFFERS, заявка in-house (банк — мастер-тенант) → уходит в 1С',
            'api: status COLLECTING_OFFERS, in-house (the bank is the master tenant) → goes to 1C',
          ),
        );
        await announced(2);
        return app;
      },
    );

    // ------------------------------------------------------------------ 5
    await step(
      t(
        '1С получает заявку и отвечает ссылкой на свой документ',
        '1C receives the request and answers with its link',
      ),
      async () => {
        const inOnec = await until(
          '1C to list the request',
          async () => (await onec.list()).find((item) => item.platformId === result.requestId),
          45_000,
        );
        result.onecRef = inOnec.ref;
        result.onecNumber = inOnec.number;
        narrator.ok(
          t(
            `1С: документ ${inOnec.number} (Ref_Key ${inOnec.ref}) для заявки ${inOnec.displayNumber}, плательщик ${inOnec.payerName}, агент ${inOnec.agentName}`,
            `1C: document ${inOnec.number} (Ref_Key ${inOnec.ref}) for request ${inOnec.displayNumber}, payer ${inOnec.payerName}, agent ${inOnec.agentName}`,
          ),
        );
        const request = await requestUntil(
          'the 1C link',
          (r) => r.onecRef !== null && r.onecUrl !== null,
        );
        expect(
          request.onecRef === inOnec.ref,
          `api onecRef ${request.onecRef}, 1C ref ${inOnec.ref}`,
        );
        const opened = await onec.byLink(request.onecUrl!);
        expect(opened.ref === inOnec.ref, `the 1C link ${request.onecUrl} opens ${opened.ref}`);
        result.onecUrl = request.onecUrl!;
        narrator.ok(
          t(
            `api: ссылка в 1С ${decodeURI(request.onecUrl!)} — открывает этот документ`,
            `api: the 1C link ${decodeURI(request.onecUrl!)} — opens this document`,
          ),
        );
        const link = agent.byTestId('onec-link');
        await link.waitFor({ timeout: 30_000 });
        expect(
          (await link.getAttribute('href')) === request.onecUrl,
          'the Mini App links elsewhere',
        );
        narrator.ok(
          t(
            `Mini App Анны показывает «${await agent.text('onec-link')}»`,
            `Анна's Mini App shows “${await agent.text('onec-link')}”`,
          ),
        );
      },
    );

    // ------------------------------------------------------------------ 6
    await step(
      t(
        'Оператор 1С рассчитывает условия — предложение принимается автоматически, поля только для чтения',
        "1C's operator computes the terms — the offer is accepted automatically, the fields become read-only",
      ),
      async () => {
        const { offer } = await onec.sendOffer(result.requestId!, onecTerms);
        result.offer = offer;
        narrator.ok(
          t(
            `1С: курс ${num(offer.rate).ru} RUB/CNY, комиссия ${num(offer.feePercent).ru} %, фикс. ${num(offer.fixedFee, 2).ru} RUB, итого ${num(offer.totalToPay, 2).ru} RUB, срок ${offer.settlementDays} дн.`,
            `1C: rate ${num(offer.rate).en} RUB/CNY, fee ${num(offer.feePercent).en} %, fixed ${num(offer.fixedFee, 2).en} RUB, total ${num(offer.totalToPay, 2).en} RUB, ${offer.settlementDays} days`,
          ),
        );
        const request = await requestNow();
        const accepted = request.acceptedOffer;
        expect(request.status === 'OFFER_ACCEPTED', `api: status ${request.status}`);
        expect(
          accepted && accepted.source === 'ONEC' && accepted.status === 'ACCEPTED',
          'api: no accepted 1C offer',
        );
        expect(
          Number(accepted.totalToPay) === Number(offer.totalToPay),
          `api total ${accepted.totalToPay}`,
        );
        expect(request.readOnly, 'api: the request is still editable');
        const refused = await agentApi.miniApp.save
          .mutate({ version: request.version, fields: { comment: 'Поменяем сумму?' } })
          .then(
            () => null,
            (error: unknown) => error as { data?: { appCode?: string } },
          );
        expect(refused, 'api: a save after the acceptance went through');
        expect(
          (await requestNow()).version === request.version,
          'api: a refused save changed the request',
        );
        narrator.ok(
          t(
            `api: статус OFFER_ACCEPTED, предложение 1С (от имени ${accepted.agentName}) принято, readOnly`,
            `api: status OFFER_ACCEPTED, the 1C offer (for ${accepted.agentName}) accepted, readOnly`,
          ),
        );
        narrator.ok(
          t(
            `api: правка заявки отклонена (${refused.data?.appCode ?? 'ошибка'}), версия не изменилась`,
            `api: an edit is refused (${refused.data?.appCode ?? 'error'}), the version unchanged`,
          ),
        );
        await client.reload();
        await client.byTestId('offer-section').waitFor();
        await client.byTestId('read-only').waitFor();
        const fields = await client.page.locator('form input, form textarea, form select').count();
        const editable = await client.page
          .locator('form input:not([readonly]), form textarea:not([readonly]), form select')
          .count();
        expect(
          fields > 15 && editable === 0,
          `Mini App: ${editable} of ${fields} fields still editable`,
        );
        narrator.ok(
          t(
            `Mini App Ивана: «${await client.text('read-only')}» — все ${fields} полей только для чтения`,
            `Иван's Mini App: “${await client.text('read-only')}” — all ${fields} fields read-only`,
          ),
        );
        await announced(3);
      },
    );

    // ------------------------------------------------------------------ 7
    await step(
      t('1С переводит заявку «В работу»', '1C sets the request "in progress"'),
      async () => {
        await onec.setStatus(result.requestId!, 'IN_PROGRESS');
        const request = await requestNow();
        expect(request.status === 'IN_PROGRESS', `api: status ${request.status}`);
        narrator.ok(t('api: статус IN_PROGRESS', 'api: status IN_PROGRESS'));
        await announced(4);
      },
    );

    // ------------------------------------------------------------------ 8
    await step(
      t(
        'Переписка в группе и фото зеркалируются на платформу',
        'Chat messages and a photo are mirrored to the platform',
      ),
      async () => {
        const sent: { message: TelegramMessage; kind: 'text' | 'photo'; author: number }[] = [];
        sent.push({
          message: await control.sendText(
            result.chatId!,
            ivan.id,
            'Добрый день! Платёжку на тестовый платёж отправлю сегодня до 15:00.',
          ),
          kind: 'text',
          author: ivan.id,
        });
        // Иван photographs his screen: a real JPEG, as a phone sends it.
        const photo = await client.page.screenshot({ type: 'jpeg', quality: 70 });
        sent.push({
          message: await control.sendPhoto(result.chatId!, ivan.id, {
            bytes: photo,
            width: 390,
            height: 844,
            caption: 'Вот как заявка выглядит у меня',
          }),
          kind: 'photo',
          author: ivan.id,
        });
        sent.push({
          message: await control.sendText(
            result.chatId!,
            anna.id,
            'Спасибо, Иван! Как придёт тестовый платёж — сразу сообщу.',
          ),
          kind: 'text',
          author: anna.id,
        });
        result.chatMessages = sent.map(({ message, kind, author }) => ({
          messageId: message.message_id,
          kind,
          author,
        }));
        result.photoSha256 = sha256(photo);
        narrator.ok(
          t(
            `в группе: 2 сообщения и фото (${Math.round(photo.length / 1024)} КБ JPEG) от Ивана и Анны`,
            `in the group: 2 messages and a photo (${Math.round(photo.length / 1024)} KB JPEG) from Иван and Анна`,
          ),
        );
        await until(
          'the bot to handle every update',
          async () => (await control.pendingUpdates(stack.botToken)).length === 0,
          45_000,
        );
        narrator.ok(
          t(
            'бот обработал все обновления (Telegram засчитывает их только после записи в api)',
            'the bot handled every update (it confirms one to Telegram only after the api stored it)',
          ),
        );
        const stored = path.join(
          env.filesDir,
          'sha256',
          result.photoSha256.slice(0, 2),
          result.photoSha256.slice(2, 4),
          result.photoSha256,
        );
        await until('the photo in the api file store', () => existsSync(stored));
        narrator.ok(
          t(
            `api: фото лежит в файловом хранилище платформы (sha256 ${result.photoSha256.slice(0, 12)}…)`,
            `api: the photo is in the platform's file store (sha256 ${result.photoSha256.slice(0, 12)}…)`,
          ),
        );
        if (env.db) {
          const rows = await env.db.chatMessage.findMany({
            where: {
              chatId: BigInt(result.chatId!),
              messageId: { in: result.chatMessages.map((m) => m.messageId) },
            },
            include: { asset: true },
          });
          expect(rows.length === 3, `the database holds ${rows.length} of the 3 messages`);
          const photoRow = rows.find((row) => row.kind === 'photo');
          expect(photoRow?.asset?.sha256 === result.photoSha256, 'the photo row has not the photo');
          narrator.ok(
            t(
              'база: 3 строки ChatMessage, у фото — тот же файл (sha256 совпадает)',
              'database: 3 ChatMessage rows, the photo row has the same file (sha256 matches)',
            ),
          );
        } else {
          narrator.ok(
            t(
              'строки ChatMessage проверим в базе после остановки (PGlite открыт api)',
              'the ChatMessage rows are checked in the database after the stop (the api holds PGlite open)',
            ),
          );
        }
      },
    );

    // ------------------------------------------------------------------ 9
    await step(
      t(
        'Иван отмечает тестовый платёж и платёж, 1С подтверждает их',
        'Иван marks the test payment and the payment sent, 1C confirms them',
      ),
      async () => {
        const mark = async (status: 'TEST_PAYMENT_SENT' | 'PAYMENT_SENT') => {
          await client.reload();
          const button = client.byTestId(`mark-${status}`);
          await button.waitFor();
          const label = spaces(await button.textContent());
          await button.click();
          await client.byTestId(`step-done-${status}`).waitFor();
          const request = await requestNow();
          expect(request.paymentStatus === status, `api: payment status ${request.paymentStatus}`);
          narrator.ok(
            t(
              `Иван в Mini App: «${label}» → api: ${status}; Mini App: «${await client.text(`step-done-${status}`)}»`,
              `Иван in the Mini App: “${label}” → api: ${status}; Mini App: “${await client.text(`step-done-${status}`)}”`,
            ),
          );
        };
        const confirm = async (status: 'TEST_PAYMENT_CONFIRMED' | 'PAYMENT_RECEIVED') => {
          await onec.setPaymentStatus(result.requestId!, status);
          const request = await requestNow();
          expect(request.paymentStatus === status, `api: payment status ${request.paymentStatus}`);
          narrator.ok(t(`1С подтверждает → api: ${status}`, `1C confirms → api: ${status}`));
        };
        await mark('TEST_PAYMENT_SENT');
        await confirm('TEST_PAYMENT_CONFIRMED');
        await mark('PAYMENT_SENT');
        await confirm('PAYMENT_RECEIVED');
        const messages = await botMessagesUntil(10);
        const payment = expectedAnnouncements(result.displayNumber!).slice(5, 9);
        for (const expected of payment)
          expect(
            messages.some((message) => expected.match.test(textOf(message))),
            `the bot did not post «${expected.what.ru}»`,
          );
        narrator.ok(
          t(
            'в группе: все четыре отметки об оплате',
            'in the group: all four payment announcements',
          ),
        );
      },
    );

    // ------------------------------------------------------------------ 10
    await step(
      t(
        '1С формирует счёт и акт — они приходят в группу и в Mini App',
        '1C generates the invoice and the act — they reach the group and the Mini App',
      ),
      async () => {
        const generated = [];
        for (const kind of ['INVOICE', 'ACT']) {
          const { document } = await onec.generateDocument(result.requestId!, kind);
          generated.push(document);
          narrator.ok(
            t(
              `1С: ${document.fileName} (${Math.round(document.size / 1024)} КБ)`,
              `1C: ${document.fileName} (${Math.round(document.size / 1024)} KB)`,
            ),
          );
        }
        const request = await requestUntil(
          'both documents delivered to the chat',
          (r) => r.documents.filter((d) => d.source === 'ONEC' && d.deliveredToChat).length === 2,
        );
        for (const document of generated) {
          const held = request.documents.find((d) => d.sha256 === document.sha256);
          expect(held && held.kind === document.kind, `api: no ${document.kind} with 1C's bytes`);
        }
        result.documents = generated.map(({ kind, fileName, sha256: hash, size }) => ({
          kind,
          fileName,
          sha256: hash,
          size,
        }));
        narrator.ok(
          t(
            'api: оба документа сохранены (sha256 как в 1С) и отмечены доставленными в чат',
            'api: both documents stored (sha256 as in 1C) and marked delivered to the chat',
          ),
        );
        const messages = await botMessagesUntil(11);
        const files = messages.filter((message) => message.method === 'sendDocument');
        for (const document of generated) {
          const sent = files.find((message) =>
            message.files.some((file) => file.fileName === document.fileName),
          );
          const file = sent?.files[0];
          expect(sent && file?.base64, `the group has no ${document.fileName}`);
          const bytes = Buffer.from(file.base64, 'base64');
          expect(
            bytes.subarray(0, 5).toString('latin1') === '%PDF-',
            `${document.fileName} is not a PDF`,
          );
          expect(
            sha256(bytes) === document.sha256,
            `${document.fileName} in the group differs from 1C's`,
          );
          narrator.ok(
            t(
              `в группе: «${sent.caption ?? document.fileName}» — ${document.fileName}, PDF, байт в байт как в 1С`,
              `in the group: “${sent.caption ?? document.fileName}” — ${document.fileName}, a PDF byte for byte as in 1C`,
            ),
          );
        }
        await client.reload();
        await client.byTestId('documents').waitFor();
        const rows = await until('the Mini App to list both documents', async () => {
          const count = await client.byTestId('document').count();
          return count === 2 ? count : null;
        });
        const names = await client.page
          .getByTestId('document')
          .locator('.list-title')
          .allTextContents();
        narrator.ok(
          t(
            `Mini App Ивана, «Документы»: ${rows} — ${names.join(', ')}`,
            `Иван's Mini App, “Documents”: ${rows} — ${names.join(', ')}`,
          ),
        );
      },
    );

    // ------------------------------------------------------------------ 11
    await step(
      t('1С проводит выплату и закрывает заявку', '1C makes the payout and completes the request'),
      async () => {
        await onec.setPaymentStatus(result.requestId!, 'PAYOUT_DONE');
        narrator.ok(
          t('1С: выплата произведена → api: PAYOUT_DONE', '1C: payout done → api: PAYOUT_DONE'),
        );
        await onec.setStatus(result.requestId!, 'COMPLETED');
        const request = await requestNow();
        expect(
          request.status === 'COMPLETED' && request.paymentStatus === 'PAYOUT_DONE',
          `api: ${request.status} / ${request.paymentStatus}`,
        );
        narrator.ok(t('1С: заявка исполнена → api: COMPLETED', '1C: completed → api: COMPLETED'));
        await client.reload();
        await client
          .byTestId('status-badge')
          .filter({ hasText: /Исполнена|Completed/ })
          .waitFor();
        narrator.ok(
          t(
            `Mini App Ивана: «${await client.text('status-badge')}», «${await client.text('payment-badge')}»`,
            `Иван's Mini App: “${await client.text('status-badge')}”, “${await client.text('payment-badge')}”`,
          ),
        );
        await announced(12);
      },
    );

    // ------------------------------------------------------------------ checks across the epic
    await step(
      t(
        'Сверка: каждое сообщение бота — ровно один раз, в 1С — ровно одна заявка',
        'Reconciliation: every bot message exactly once, exactly one request in 1C',
      ),
      async () => {
        const expected = expectedAnnouncements(result.displayNumber!);
        await botMessagesUntil(expected.length + 1);
        // A moment of quiet: a duplicate delivery would show up now.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const messages = await control.botMessages(result.chatId!);
        const announcements = messages.slice(1);
        for (const item of expected) {
          const matching = announcements.filter((message) => item.match.test(textOf(message)));
          expect(matching.length === 1, `«${item.what.ru}» posted ${matching.length} times`);
        }
        expect(
          messages.length === expected.length + 1,
          `the bot posted ${messages.length} messages, expected ${expected.length + 1}`,
        );
        result.botMessages = messages;
        narrator.ok(
          t(
            `в группе ${messages.length} сообщений бота: приветствие и ${expected.length} объявлений, без повторов`,
            `${messages.length} bot messages in the group: the welcome and ${expected.length} announcements, no repeats`,
          ),
        );
        if (env.db) {
          const lacking = await botMessagesNotArchived(env.db, result.chatId!, messages);
          expect(lacking === null, lacking ?? '');
          narrator.ok(
            t(
              `архив чата на платформе: все ${messages.length} сообщений бота, с их словами`,
              `the platform's chat archive: all ${messages.length} bot messages, with their words`,
            ),
          );
        }
        const ours = (await onec.list()).filter((item) => item.platformId === result.requestId);
        expect(ours.length === 1, `1C holds ${ours.length} requests for ours`);
        const detail = await onec.get(result.onecRef!);
        expect(
          detail.status === 'COMPLETED' && detail.paymentStatus === 'PAYOUT_DONE',
          `1C: ${detail.status} / ${detail.paymentStatus}`,
        );
        const undelivered = detail.deliveries.filter((d) => d.state !== 'DELIVERED');
        expect(
          undelivered.length === 0,
          `1C: ${undelivered.length} calls to the platform not delivered`,
        );
        expect(
          detail.offers.length === 1 && detail.documents.length === 2,
          '1C: offers or documents differ',
        );
        // 1C's copy is the platform's: the fields, the statuses and the version, each change
        // the platform made (Иван's payment marks) applied once.
        const platform = await requestNow();
        expect(
          Object.entries(platform.fields).every(
            ([field, value]) => detail.fields[field] === value,
          ) &&
            detail.status === platform.status &&
            detail.paymentStatus === platform.paymentStatus &&
            detail.version === platform.version,
          `1C's copy differs from the platform's (version ${detail.version} / ${platform.version})`,
        );
        expect(
          new Set(detail.updates.map((update) => update.updateId)).size === detail.updates.length,
          '1C applied an update twice',
        );
        narrator.ok(
          t(
            `1С: копия заявки совпадает с платформой (версия ${detail.version}), изменений с платформы: ${detail.updates.length}, каждое применено один раз`,
            `1C: its copy equals the platform's (version ${detail.version}), ${detail.updates.length} changes from the platform, each applied once`,
          ),
        );
        narrator.ok(
          t(
            `1С: одна заявка ${detail.number}, «${detail.status}/${detail.paymentStatus}», все ${detail.deliveries.length} вызовов платформы доставлены`,
            `1C: one request ${detail.number}, ${detail.status}/${detail.paymentStatus}, all ${detail.deliveries.length} calls to the platform delivered`,
          ),
        );
        const emulator = stack.children.find((child) => child.name === 'onec-emulator');
        if (emulator) {
          const creates = countCreateCalls(readFileSync(emulator.logFile, 'utf8'));
          expect(creates === 1, `1C was asked to create the request ${creates} times`);
          narrator.ok(
            t(
              `журнал запросов 1С: платформа создала заявку одним вызовом (api ×${stack.apiUrls.length})`,
              `1C's request log: the platform created the request with one call (api ×${stack.apiUrls.length})`,
            ),
          );
        }
        if (env.db) {
          const outbox = await until('the outbox to be fully delivered', async () => {
            const rows = await env.db!.outboxMessage.groupBy({
              by: ['target', 'state'],
              _count: { _all: true },
            });
            return rows.every((row) => row.state === 'DELIVERED') ? rows : null;
          });
          const count = (target: string) =>
            outbox
              .filter((row) => row.target === target)
              .reduce((sum, row) => sum + row._count._all, 0);
          narrator.ok(
            t(
              `база: outbox доставлен целиком — в 1С ${count('ONEC')}, в Telegram ${count('TELEGRAM')} сообщений`,
              `database: the outbox is fully delivered — ${count('ONEC')} to 1C, ${count('TELEGRAM')} to Telegram`,
            ),
          );
        }
        const request = await requestNow();
        const changes = request.history.filter(
          (h) => h.change.type === 'status' || h.change.type === 'paymentStatus',
        );
        narrator.ok(
          t(
            `api: история заявки — ${changes.length} смен статуса и оплаты`,
            `api: the request's history holds ${changes.length} status and payment changes`,
          ),
        );
        for (const app of apps)
          expect(
            app.failures.length === 0,
            `errors in ${app.who}'s Mini App: ${app.failures.join('; ')}`,
          );
      },
    );
    if (stack.localTelegram) {
      await step(
        t(
          'Портал банка: Анна входит через Telegram и открывает сделку с её чатом',
          'The bank’s portal: Анна signs in with Telegram and opens the deal and its chat',
        ),
        async () => {
          const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
          try {
            const page = await context.newPage();
            await page.goto(`${agentApiUrl}/portal/`);
            await page.getByTestId('sign-in-telegram').click();
            // The test server's login page, as Telegram's oauth page: Анна confirms who she is.
            await page.getByRole('button', { name: fullName(anna) }).click();
            await page.getByTestId('who').waitFor();
            narrator.ok(
              t(
                `портал: вход через Telegram — ${spaces(await page.getByTestId('who').textContent())}`,
                `portal: signed in with Telegram — ${spaces(await page.getByTestId('who').textContent())}`,
              ),
            );
            const row = page.getByTestId('request-row').first();
            await row.waitFor();
            narrator.ok(
              t(
                `портал: ${cells(await row.innerText())}`,
                `portal: ${cells(await row.innerText())}`,
              ),
            );
            await row.click();
            await page.getByTestId('tab-chat').click();
            await page.getByTestId('chat-messages').waitFor();
            const bubbles = await page.getByTestId('chat-message').count();
            const photos = await page.getByTestId('photo').count();
            const people = result.chatMessages?.length ?? 0;
            const bot = result.botMessages?.length ?? 0;
            expect(
              bubbles === people + bot,
              `the portal shows ${bubbles} messages of the deal room, not ${people} + ${bot} of the bot`,
            );
            narrator.ok(
              t(
                `портал: чат сделки — ${bubbles} сообщений (${people} от людей, ${bot} от бота), ${photos} фото`,
                `portal: the deal room's chat — ${bubbles} messages (${people} by people, ${bot} by the bot), photos: ${photos}`,
              ),
            );
          } finally {
            await context.close();
          }
        },
      );
      await step(
        t(
          'Стандартный конвейер в портале: Иван регистрирует организацию и подаёт заявку, Борис предлагает, Иван принимает',
          'The standard pipeline in the portal: Иван registers his company and files a request, Борис offers, Иван accepts',
        ),
        async () => {
          result.standard = await playStandardPipeline({
            browser,
            control,
            portalUrl: clientApiUrl,
            narrator,
            client: ivan,
            agent: people.boris,
          });
        },
      );
    }
  } finally {
    for (const app of apps) await app.close();
  }
  return result as EpicResult;
}
