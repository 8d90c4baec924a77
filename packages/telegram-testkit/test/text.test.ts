import { describe, expect, it } from 'vitest';
import { formatText } from '../src/index';

type ParseMode = Parameters<typeof formatText>[1];

describe('parse_mode and automatic entities', () => {
  it.each<{ what: string; mode: ParseMode; source: string; text: string; entities: object[] }>([
    {
      what: 'HTML with nested tags, links, pre with language and escapes',
      mode: 'HTML',
      source:
        '<b>Сумма <i>1&nbsp;000</i></b> &lt;RUB&gt; <a href="https://e.com/x">link</a> <pre><code class="language-json">{}</code></pre>',
      text: 'Сумма 1&nbsp;000 <RUB> link {}',
      entities: [
        { type: 'bold', offset: 0, length: 16 },
        { type: 'italic', offset: 6, length: 10 },
        { type: 'text_link', offset: 23, length: 4, url: 'https://e.com/x' },
        { type: 'pre', offset: 28, length: 2, language: 'json' },
      ],
    },
    {
      what: 'MarkdownV2',
      mode: 'MarkdownV2',
      source:
        '*Deal* _№42_ __u__ ~s~ ||spoiler|| `code` [bank](https://bank.example.com) total 1\\.500\\!',
      text: 'Deal №42 u s spoiler code bank total 1.500!',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 5, length: 3 },
        { type: 'underline', offset: 9, length: 1 },
        { type: 'strikethrough', offset: 11, length: 1 },
        { type: 'spoiler', offset: 13, length: 7 },
        { type: 'code', offset: 21, length: 4 },
        { type: 'text_link', offset: 26, length: 4, url: 'https://bank.example.com/' },
      ],
    },
    {
      what: 'MarkdownV2 code, pre and link URLs up to their closer, escapes undone',
      mode: 'MarkdownV2',
      source: '`a\\`b` ```json\n{"x":1}\n``` [l](https://e.com/\\)x)',
      text: 'a`b {"x":1}\n l',
      entities: [
        { type: 'code', offset: 0, length: 3 },
        { type: 'pre', offset: 4, length: 8, language: 'json' },
        { type: 'text_link', offset: 13, length: 1, url: 'https://e.com/)x' },
      ],
    },
    {
      what: 'legacy Markdown',
      mode: 'Markdown',
      source: '*bold* _it_ `c` [l](https://e.com) 1.5-2',
      text: 'bold it c l 1.5-2',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 5, length: 2 },
        { type: 'code', offset: 8, length: 1 },
        { type: 'text_link', offset: 10, length: 1, url: 'https://e.com/' },
      ],
    },
  ])('parses $what', ({ mode, source, text, entities }) => {
    expect(formatText(source, mode)).toEqual({ text, entities });
  });

  it.each<[ParseMode, string, string]>([
    [
      'HTML',
      '<b>open',
      'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    ],
    ['html', '<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    [
      'MarkdownV2',
      'Deal-42',
      "Character '-' is reserved and must be escaped with the preceding '\\'",
    ],
    ['MarkdownV2', '*open', "Can't find end of Bold entity at byte offset 0"],
    ['MarkdownV2', 'x `open', "Can't find end of Code entity at byte offset 2"],
    ['MarkdownV2', '```open', "Can't find end of Pre entity at byte offset 0"],
    ['MarkdownV2', '[l](https://e.com', "Can't find end of TextUrl entity at byte offset 0"],
  ])('refuses %s %j as Telegram does', (mode, source, message) => {
    expect(() => formatText(source, mode)).toThrow(message);
  });

  it('detects commands, mentions, urls, hashtags and emails, counting UTF-16 units', () => {
    expect(
      formatText(
        '👋 /start@payreq_bot @alice_b https://bank.example.com/d?x=1. #deal pay@bank.example.com',
        undefined,
      ).entities,
    ).toEqual([
      { type: 'bot_command', offset: 3, length: 17 },
      { type: 'mention', offset: 21, length: 8 },
      { type: 'url', offset: 30, length: 30 },
      { type: 'hashtag', offset: 62, length: 5 },
      { type: 'email', offset: 68, length: 20 },
    ]);
  });
});
