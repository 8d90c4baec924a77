import {
  DocumentKind,
  OnecSettableStatus,
  PaymentDirection,
  paymentRequestFieldNames,
  PaymentStatus,
  RequestStatus,
} from '@payreq/contracts';
import {
  directionLabel,
  documentKindLabel,
  fieldLabel,
  paymentStatusLabel,
  statusLabel,
} from '@payreq/i18n';

import type { ResolvedEmulatorConfig } from './config';

/** The console's tab icon: 1C's yellow with its red mark, inline (no route of its own). */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#ffd600"/>' +
    '<text x="32" y="44" font-family="Arial,sans-serif" font-size="30" font-weight="700" fill="#d01c1c" text-anchor="middle">1С</text></svg>',
)}`;

const wordsOf = <K extends string>(values: readonly K[], word: (value: K) => string) =>
  Object.fromEntries(values.map((value) => [value, word(value)])) as Record<K, string>;

/**
 * What the console shows in place of codes, in the platform's own words (1C's operator reads
 * "Плательщик (название)" and "Сбор предложений", as in 1C's forms, not `payerName`): a request
 * from the platform is always its in-house road.
 */
const consoleWords = {
  fields: wordsOf(paymentRequestFieldNames, (name) => fieldLabel(name, 'ru')),
  statuses: wordsOf(RequestStatus.options, (status) => statusLabel(status, 'ru', true)),
  payments: wordsOf(PaymentStatus.options, (status) => paymentStatusLabel(status, 'ru')),
  kinds: wordsOf(DocumentKind.options, (kind) => documentKindLabel(kind, 'ru')),
  directions: wordsOf(PaymentDirection.options, (direction) => directionLabel(direction, 'ru')),
  jobStates: { QUEUED: 'в очереди', GENERATED: 'сформирован', SENT: 'отправлен', FAILED: 'ошибка' },
  deliveryStates: { PENDING: 'ждёт отправки', DELIVERED: 'доставлено', FAILED: 'не доставлено' },
  operations: {
    offer: 'Расчёт условий',
    status: 'Статус',
    payment: 'Статус оплаты',
    document: 'Документ',
  },
};

/** The operator console: one page, plain JS, talking to `{base}/operator/api`. */
export function consoleHtml(config: ResolvedEmulatorConfig): string {
  const settings = {
    api: `${config.basePath}/operator/api`,
    statuses: OnecSettableStatus.options,
    paymentStatuses: PaymentStatus.options.filter((s) => s !== 'NOT_PAID'),
    kinds: DocumentKind.options,
    platform: config.platform?.url ?? null,
    timeZone: config.timeZone,
    words: consoleWords,
  };
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>1С:Предприятие — эмулятор (payreq)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="${FAVICON}">
<style>
  :root { --bg: #f6f5ef; --panel: #fff; --text: #222; --muted: #777; --line: #ddd; --head: #efefe6;
    --bar: #fbed9e; --bar-line: #d8c96a; --hover: #fffbe0; --selected: #fff3b0; --button: #fbed9e;
    --button-line: #c9b950; --code: #fafafa; --ok: #176b1c; --bad: #a11; --wait: #a66b00; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #1e1f22; --panel: #2a2b2f; --text: #e6e6e6; --muted: #9a9a9a; --line: #3d3e43;
      --head: #34353a; --bar: #4a4322; --bar-line: #6b5f2a; --hover: #3a3622; --selected: #4d4522;
      --button: #5a5128; --button-line: #7d7036; --code: #232428; --ok: #7ccf83; --bad: #ff8a80; --wait: #e0b050; }
  }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: var(--bg); color: var(--text); }
  a { color: inherit; }
  header { background: var(--bar); padding: 10px 16px; border-bottom: 1px solid var(--bar-line); display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  /* Both columns may shrink below their content: long refs and links wrap, the page never widens.
     The request's side is the wider: its offers table (nine columns) fits whole at 1280 px. */
  main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr); gap: 16px; padding: 16px; }
  main > div { min-width: 0; }
  table { border-collapse: collapse; width: 100%; background: var(--panel); }
  th, td { border: 1px solid var(--line); padding: 4px 5px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
  .scroll { overflow-x: auto; }
  th { background: var(--head); }
  td small { display: block; color: var(--muted); }
  td.amount { white-space: nowrap; text-align: right; }
  tr.row { cursor: pointer; }
  tr.row:hover { background: var(--hover); }
  tr.selected { background: var(--selected); }
  section { background: var(--panel); border: 1px solid var(--line); padding: 10px 12px; margin-bottom: 12px; }
  section h3 { margin: 0 0 8px; font-size: 15px; }
  form { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: end; }
  label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
  input, select, button { font: inherit; padding: 3px 6px; color: inherit; background: var(--panel); border: 1px solid var(--line); }
  /* A value typed or chosen reads as one (the label around it is muted); a status fits whole. */
  input, select { color: var(--text); }
  select { max-width: 100%; }
  button { background: var(--button); border: 1px solid var(--button-line); border-radius: 3px; cursor: pointer; }
  .muted { color: var(--muted); }
  .ok { color: var(--ok); } .bad { color: var(--bad); } .wait { color: var(--wait); }
  pre { white-space: pre-wrap; word-break: break-all; background: var(--code); padding: 6px; max-height: 220px; overflow: auto; margin: 0; }
  dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; overflow-wrap: anywhere; }
  #message { min-height: 1.4em; }
  summary { cursor: pointer; color: var(--muted); }
  details.keys { margin-top: 8px; }
  @media (max-width: 900px) { main { grid-template-columns: minmax(0, 1fr); } }
</style>
</head>
<body>
<header>
  <h1>1С:Предприятие — эмулятор</h1>
  <span class="muted">Заявки на платёж из платформы payreq · платформа: <span id="platform"></span></span>
  <strong id="message"></strong>
</header>
<main>
  <div>
    <table>
      <thead><tr><th>Документ</th><th>Заявка</th><th>Сумма</th><th>Статус</th><th>Оплата</th></tr></thead>
      <tbody id="list"><tr><td colspan="5" class="muted">Загрузка…</td></tr></tbody>
    </table>
    <p class="muted">Ссылки веб-клиента вида <code>#e1cib/data/Document.…?ref=…</code> открывают документ здесь.</p>
  </div>
  <div id="details"><p class="muted">Выберите заявку слева.</p></div>
</main>
<script>
const SETTINGS = ${JSON.stringify(settings).replace(/</g, '\\u003c')};
const $ = (id) => document.getElementById(id);
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
async function api(path, body) {
  const response = await fetch(SETTINGS.api + path, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && data.error && data.error.message) || response.statusText);
  return data;
}
let selected = null;
/** The operator chose or typed something in a form not yet sent (see the refresh below). */
let edited = false;
function say(text, cls) { const m = $('message'); if (m) { m.textContent = text; m.className = cls || ''; } }
function guidFromHash() {
  const match = /ref=([0-9a-fA-F]{32})/.exec(location.hash);
  if (!match) return location.hash.length === 37 ? location.hash.slice(1) : null;
  const x = match[1].toLowerCase();
  return x.slice(24, 32) + '-' + x.slice(20, 24) + '-' + x.slice(16, 20) + '-' + x.slice(0, 4) + '-' + x.slice(4, 16);
}
const W = SETTINGS.words;
/** A code's word (a status, a field, a kind); the code itself only where there is none. */
function word(map, value) { return value === null || value === undefined ? '—' : (map[value] || value); }
function scroll(table) { return h('div', { class: 'scroll' }, table); }
function readable(url) { try { return decodeURI(url); } catch { return url; } }
function money(amount, currency) {
  if (!amount) return '—';
  const value = Number(amount);
  const shown = Number.isFinite(value) ? value.toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : amount;
  return shown + (currency ? ' ' + currency : '');
}
const instantFormat = new Intl.DateTimeFormat('ru-RU', { timeZone: SETTINGS.timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
/**
 * A time as 1C's forms show it, 07.12.2026 11:28:18: 1C's own local time (2026-12-07T11:28:18) as
 * it is, an instant (with Z or an offset) in 1C's time zone.
 */
function dateTime(value) {
  if (/(Z|[+-][0-9]{2}:?[0-9]{2})$/.test(value || '') && !Number.isNaN(Date.parse(value))) return instantFormat.format(new Date(value)).replace(',', '');
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}:[0-9]{2}:[0-9]{2}))?/.exec(value || '');
  return m ? m[3] + '.' + m[2] + '.' + m[1] + (m[4] && m[4] !== '00:00:00' ? ' ' + m[4] : '') : (value || '—');
}
const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['ru'], { type: 'region', fallback: 'none' }) : null;
function country(code) { const name = /^[A-Z]{2}$/.test(code) && regionNames ? regionNames.of(code) : null; return name ? name + ' (' + code + ')' : code; }
/** A form field's value as people read it: a direction and a country by name, dates in 1C's order. */
function fieldText(name, value, fields) {
  if (value === null || value === undefined || value === '') return '—';
  switch (name) {
    case 'direction': return word(W.directions, value);
    case 'beneficiaryCountry': return country(value);
    case 'amount': return money(value, fields.currency);
    case 'contractDate': case 'desiredDate': return dateTime(value);
    default: return String(value);
  }
}
function number(value) { const n = Number(value); return Number.isFinite(n) ? n.toLocaleString('ru-RU', { maximumFractionDigits: 6 }) : String(value); }
function size(bytes) { return bytes < 1024 ? bytes + ' Б' : (bytes / 1024).toLocaleString('ru-RU', { maximumFractionDigits: 1 }) + ' КБ'; }
async function loadList() {
  const { items } = await api('/requests');
  const rows = items.map((r) => h('tr', { class: 'row' + (selected === r.ref ? ' selected' : ''), onclick: () => select(r.ref) },
    h('td', {}, r.number, h('small', {}, dateTime(r.date))),
    h('td', {}, r.displayNumber, h('small', {}, r.payerName || '—')),
    h('td', { class: 'amount' }, money(r.amount, r.currency)),
    h('td', {}, word(W.statuses, r.status)), h('td', {}, word(W.payments, r.paymentStatus))));
  $('list').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'Заявок пока нет'))]));
}
const ACTORS = { client: 'клиент', agent: 'менеджер', onec: '1С', system: 'платформа' };
function actorText(by) { return by ? (ACTORS[by.kind] || by.kind) + (by.name ? ' ' + by.name : '') : '—'; }
function changeText(c) {
  switch (c.type) {
    case 'fields': return c.changed.map((k) => word(W.fields, k) + ': ' + fieldText(k, c.fields[k], c.fields)).join('; ');
    case 'status': return 'Статус: ' + word(W.statuses, c.from) + ' → ' + word(W.statuses, c.to);
    case 'cancelled': return 'Заявка отменена (была: ' + word(W.statuses, c.from) + ')';
    case 'paymentStatus': return 'Оплата: ' + word(W.payments, c.from) + ' → ' + word(W.payments, c.to);
    case 'document': return 'Документ в платформе: ' + word(W.kinds, c.kind) + ', ' + c.fileName;
    default: return 'Изменение в платформе';
  }
}
function stateClass(state) { return state === 'DELIVERED' || state === 'SENT' ? 'ok' : state === 'FAILED' ? 'bad' : 'wait'; }
async function act(label, fn) {
  edited = false;
  say(label + '…', 'wait');
  try {
    const result = await fn();
    const d = result && result.delivery;
    say(label + ': ' + (d ? word(W.deliveryStates, d.state) + (d.lastError ? ' — ' + d.lastError : '') : 'готово'), d && d.state === 'FAILED' ? 'bad' : 'ok');
  } catch (error) { say(label + ': ' + error.message, 'bad'); }
  await refresh();
}
function field(name, label, attrs) { return h('label', {}, label, h('input', Object.assign({ name }, attrs || {}))); }
function options(values, words) { return values.map((v) => h('option', { value: v }, word(words, v))); }
/**
 * A status select showing the request's status now: the forms are built anew on every refresh, so
 * the choice would fall back to the first one. A status 1C does not set reads as a choice it
 * cannot send (the select is required).
 */
function statusOptions(values, words, current) {
  const now = values.includes(current) ? [] : [h('option', { value: '', disabled: true, selected: true }, word(words, current))];
  return now.concat(values.map((v) => h('option', { value: v, selected: v === current }, word(words, v))));
}
function formValues(form) { return Object.fromEntries(new FormData(form).entries()); }
/** The platform's answer to a call: its HTTP status, or the error, in a line; the body on demand. */
function answerOf(d) {
  const line = d.lastError || (d.lastStatus ? 'HTTP ' + d.lastStatus : '—');
  if (d.response === null || d.response === undefined) return line;
  return h('details', {}, h('summary', {}, line), h('pre', {}, JSON.stringify(d.response, null, 2)));
}
/** A status call that moves only the payment reads as what it is. */
function operationOf(d) { return d.operation === 'status' && d.body && d.body.paymentStatus && !d.body.status ? 'payment' : d.operation; }
async function select(ref) { edited = false; selected = ref; await refresh(); }
async function refresh() {
  await loadList().catch((e) => say(e.message, 'bad'));
  if (!selected) return;
  let r;
  try { r = await api('/requests/' + selected); } catch (e) { $('details').replaceChildren(h('p', { class: 'bad' }, e.message)); return; }
  const f = r.fields;
  const base = '/requests/' + r.ref;
  const offerForm = h('form', { onsubmit: (e) => { e.preventDefault(); const v = formValues(e.target);
      act('Расчёт', () => api(base + '/offer', { rate: v.rate, feePercent: v.feePercent, fixedFee: v.fixedFee,
        totalToPay: v.totalToPay || null, settlementDays: Number(v.settlementDays), validUntil: v.validUntil || null, comment: v.comment || null })); } },
    field('rate', 'Курс', { required: true, size: 8 }), field('feePercent', 'Комиссия, %', { required: true, size: 6, value: '1.5' }),
    field('fixedFee', 'Фикс. комиссия', { required: true, size: 8, value: '0' }), field('totalToPay', 'Итого (пусто — рассчитать)', { size: 12 }),
    field('settlementDays', 'Срок, дн.', { required: true, size: 4, value: '2', type: 'number', min: 0 }),
    field('validUntil', 'Действует до', { type: 'date' }), field('comment', 'Комментарий', { size: 20 }),
    h('button', { type: 'submit' }, 'Рассчитать и отправить'));
  const statusForm = h('form', { onsubmit: (e) => { e.preventDefault(); const v = formValues(e.target);
      act('Статус', () => api(base + '/status', { status: v.status, comment: v.comment || null })); } },
    h('label', {}, 'Статус', h('select', { name: 'status', required: true }, statusOptions(SETTINGS.statuses, W.statuses, r.status))), field('comment', 'Комментарий', { size: 20 }),
    h('button', { type: 'submit' }, 'Установить'));
  const paymentForm = h('form', { onsubmit: (e) => { e.preventDefault(); const v = formValues(e.target);
      act('Статус оплаты', () => api(base + '/payment-status', { paymentStatus: v.paymentStatus, comment: v.comment || null })); } },
    h('label', {}, 'Статус оплаты', h('select', { name: 'paymentStatus', required: true }, statusOptions(SETTINGS.paymentStatuses, W.payments, r.paymentStatus))), field('comment', 'Комментарий', { size: 20 }),
    h('button', { type: 'submit' }, 'Установить'));
  const documentForm = h('form', { onsubmit: (e) => { e.preventDefault(); const v = formValues(e.target);
      act('Документ', () => api(base + '/documents', { kind: v.kind })); } },
    h('label', {}, 'Вид документа', h('select', { name: 'kind' }, options(SETTINGS.kinds, W.kinds))), h('button', { type: 'submit' }, 'Сформировать и отправить'));
  const kept = edited ? formState() : null;
  $('details').replaceChildren(
    h('section', {}, h('h3', {}, 'Заявка ' + r.number + ' (' + r.displayNumber + ')'),
      r.status === 'CANCELLED' ? h('p', { class: 'bad cancelled' }, 'Заявка отменена в платформе' + (r.cancelledBy ? ': ' + actorText(r.cancelledBy) : '') + '. Расчёт и статусы по ней не отправляются.') : null,
      h('dl', { class: 'fields' }, h('dt', {}, 'Ссылка'), h('dd', {}, h('a', { href: r.url }, readable(r.url))),
        h('dt', {}, 'Менеджер'), h('dd', {}, r.agent ? r.agent.name : '—'),
        h('dt', {}, 'Статус'), h('dd', { class: 'status' }, word(W.statuses, r.status)),
        h('dt', {}, 'Оплата'), h('dd', { class: 'payment' }, word(W.payments, r.paymentStatus)),
        ...Object.entries(f).flatMap(([k, v]) => [h('dt', {}, word(W.fields, k)), h('dd', {}, fieldText(k, v, f))])),
      // The keys of the record, for whoever traces a call between 1C and the platform.
      h('details', { class: 'keys' }, h('summary', {}, 'Служебные данные'),
        h('dl', {}, h('dt', {}, 'Ref_Key'), h('dd', {}, r.ref), h('dt', {}, 'Код в платформе'), h('dd', {}, r.platformId),
          h('dt', {}, 'Версия в платформе'), h('dd', {}, r.version))),
      h('p', {}, h('button', { onclick: () => act('Обновление из платформы', () => api(base + '/refresh', {})) }, 'Обновить из платформы'))),
    h('section', {}, h('h3', {}, 'Расчёт условий'), r.status === 'CANCELLED' ? null : offerForm,
      r.offers.length ? scroll(h('table', { class: 'offers' }, h('tr', {}, h('th', {}, 'Дата'), h('th', {}, 'Курс'), h('th', {}, '%'), h('th', {}, 'Фикс.'), h('th', {}, 'Итого'), h('th', {}, 'Дн.'), h('th', {}, 'Действует до'), h('th', {}, 'Версия'), h('th', {}, 'Ответ')),
        r.offers.flatMap((o) => [h('tr', {}, h('td', {}, dateTime(o.date)), h('td', {}, number(o.rate)), h('td', {}, number(o.feePercent)), h('td', { class: 'amount' }, money(o.fixedFee)), h('td', { class: 'amount' }, money(o.totalToPay)), h('td', {}, o.settlementDays), h('td', {}, dateTime(o.validUntil)), h('td', {}, o.basedOnVersion || '—'),
          h('td', { class: o.refusal ? 'bad' : o.platformOfferId ? 'ok' : 'wait' }, o.platformOfferId ? 'принят' : o.refusal ? 'отказ' : 'ждёт ответа')),
          // The operator's comment (the bot says it in the group) and why the platform refused it,
          // in its words, across the table (they are long).
          o.comment ? h('tr', { class: 'offer-comment' }, h('td', { colspan: 9, class: 'muted' }, 'Комментарий: ' + o.comment)) : null,
          o.refusal ? h('tr', { class: 'refusal' }, h('td', { colspan: 9, class: 'bad' }, 'Платформа не приняла расчёт: ' + o.refusal)) : null]))) : null),
    h('section', {}, h('h3', {}, 'Статусы'), statusForm, paymentForm,
      r.statusRefusal ? h('p', { class: 'bad refusal' }, 'Платформа не приняла статус: ' + r.statusRefusal) : null),
    h('section', {}, h('h3', {}, 'Документы'), documentForm,
      r.jobs.length ? scroll(h('table', { class: 'jobs' }, h('tr', {}, h('th', {}, 'Запрошен платформой'), h('th', {}, 'Вид'), h('th', {}, 'Состояние')),
        // The action stands beside the state it changes: a column of its own stayed empty once all were sent.
        r.jobs.map((j) => h('tr', {}, h('td', {}, dateTime(j.createdAt)), h('td', {}, word(W.kinds, j.kind)),
          h('td', {}, h('span', { class: stateClass(j.state) }, word(W.jobStates, j.state) + (j.error ? ' — ' + j.error : '')),
            j.state === 'SENT' ? null : [' ', h('button', { onclick: () => act('Формирование', () => api('/jobs/' + j.ref + '/fulfil', {})) }, 'Сформировать')]))))) : null,
      r.documents.length ? scroll(h('table', { class: 'documents' }, h('tr', {}, h('th', {}, 'Номер'), h('th', {}, 'Вид'), h('th', {}, 'Файл'), h('th', {}, 'Размер')),
        r.documents.map((d) => h('tr', {}, h('td', {}, d.number), h('td', {}, word(W.kinds, d.kind)),
          h('td', {}, h('a', { href: SETTINGS.api + '/documents/' + d.ref + '/file', target: '_blank' }, d.fileName)), h('td', {}, size(d.size)))))) : null),
    h('section', {}, h('h3', {}, 'Изменения из платформы'),
      r.updates.length ? scroll(h('table', { class: 'updates' }, h('tr', {}, h('th', {}, 'Версия'), h('th', {}, 'Когда'), h('th', {}, 'Кто'), h('th', {}, 'Что'), h('th', {}, 'Получено раз')),
        r.updates.slice().reverse().map((u) => h('tr', {}, h('td', {}, u.version), h('td', {}, dateTime(u.at)), h('td', {}, actorText(u.by)),
          h('td', {}, u.changes.map(changeText).join('; ') + (u.comment ? ' — «' + u.comment + '»' : '')), h('td', {}, u.deliveries))))) : h('p', { class: 'muted' }, 'Изменений после отправки не было')),
    h('section', {}, h('h3', {}, 'Обмен с платформой'),
      h('p', {}, h('button', { onclick: () => act('Повтор', () => api('/deliveries/retry', {})) }, 'Повторить неотправленные')),
      r.deliveries.length ? scroll(h('table', { class: 'deliveries' }, h('tr', {}, h('th', {}, 'Операция'), h('th', {}, 'Состояние'), h('th', {}, 'Попыток'), h('th', {}, 'Ответ платформы')),
        r.deliveries.slice().reverse().map((d) => h('tr', {}, h('td', {}, word(W.operations, operationOf(d))), h('td', { class: stateClass(d.state) }, word(W.deliveryStates, d.state)),
          h('td', {}, d.attempts), h('td', {}, answerOf(d)))))) : h('p', { class: 'muted' }, 'Вызовов ещё не было')),
  );
  if (kept) restoreFormState(kept);
}
/** The values of the request's forms, by form and field name. */
function formState() {
  return [...$('details').querySelectorAll('form')].map((form) =>
    [...form.elements].filter((el) => el.name).map((el) => [el.name, el.value]));
}
function restoreFormState(state) {
  [...$('details').querySelectorAll('form')].forEach((form, i) => {
    for (const [name, value] of state[i] || []) if (form.elements[name]) form.elements[name].value = value;
  });
}
$('platform').textContent = SETTINGS.platform || 'не настроена';
window.addEventListener('hashchange', () => { const g = guidFromHash(); if (g) select(g); });
selected = guidFromHash();
refresh();
// The forms are built anew on each refresh: what the operator chose or typed and has not sent yet
// (even with the focus elsewhere) is put back into them (while typing, the page waits).
document.addEventListener('input', (e) => { if (e.target.closest && e.target.closest('form')) edited = true; });
document.addEventListener('change', (e) => { if (e.target.closest && e.target.closest('form')) edited = true; });
setInterval(() => { if (!document.querySelector('form:focus-within')) refresh(); }, 4000);
</script>
</body>
</html>
`;
}
