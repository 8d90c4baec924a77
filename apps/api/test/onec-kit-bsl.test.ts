import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

/**
 * The BSL of the 1C developer kit (onec-kit/src) read as a 1C configurator would first read it:
 * every block closed in order, every call between the kit's modules to a routine that exists,
 * is exported, and takes that many arguments; the HTTP service's handlers and the scheduled
 * job's method of the README are there. No 1C platform runs here: this is what can be checked
 * without one, so the modules cannot drift from each other or from their README.
 */

const kitDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../onec-kit');
const letter = String.raw`[\p{L}\p{N}_]`;

/** The code with comments dropped and every string literal emptied (newlines kept). */
function codeOf(source: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i]!;
    if (inString) {
      if (char === '"' && source[i + 1] === '"') i += 1;
      else if (char === '"') {
        inString = false;
        out += '"';
      } else if (char === '\n') out += '\n';
      continue;
    }
    if (char === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i += 1;
      out += '\n';
      continue;
    }
    if (char === '"') inString = true;
    out += char;
  }
  return out;
}

const blocks: Record<string, string> = {
  Процедура: 'КонецПроцедуры',
  Функция: 'КонецФункции',
  Если: 'КонецЕсли',
  Попытка: 'КонецПопытки',
  Цикл: 'КонецЦикла',
  '#Область': '#КонецОбласти',
};
const closers = new Set(Object.values(blocks));
const inner: Record<string, string> = {
  Иначе: 'Если',
  ИначеЕсли: 'Если',
  Исключение: 'Попытка',
};

/** Problems with the nesting of blocks: an opener never closed, a closer of another block. */
function blockProblems(code: string): string[] {
  const problems: string[] = [];
  const stack: { word: string; line: number }[] = [];
  const words = new RegExp(
    `(?<!${letter})(${[...Object.keys(blocks), ...closers, ...Object.keys(inner)]
      .sort((a, b) => b.length - a.length)
      .join('|')})(?!${letter})`,
    'gu',
  );
  code.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(words)) {
      const word = match[1]!;
      const line = index + 1;
      if (word in blocks) stack.push({ word, line });
      else if (word in inner) {
        if (stack.at(-1)?.word !== inner[word])
          problems.push(`${line}: ${word} outside ${inner[word]}`);
      } else {
        const open = stack.pop();
        if (!open || blocks[open.word] !== word)
          problems.push(
            `${line}: ${word} closes ${open ? `${open.word} of line ${open.line}` : 'nothing'}`,
          );
      }
    }
  });
  for (const open of stack) problems.push(`${open.line}: ${open.word} never closed`);
  return problems;
}

interface Routine {
  name: string;
  kind: 'Процедура' | 'Функция';
  exported: boolean;
  required: number;
  total: number;
}

/** Splits an argument or parameter list on its top-level commas (strings already emptied). */
function topLevelParts(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of list) {
    if (char === '(' || char === '[') depth += 1;
    if (char === ')' || char === ']') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.length === 1 && parts[0]!.trim() === '' ? [] : parts;
}

/** The text between the parenthesis at `open` and its match. */
function parenthesised(code: string, open: number): string {
  let depth = 0;
  for (let i = open; i < code.length; i += 1) {
    if (code[i] === '(') depth += 1;
    if (code[i] === ')') {
      depth -= 1;
      if (depth === 0) return code.slice(open + 1, i);
    }
  }
  throw new Error(`unclosed parenthesis at ${open}`);
}

function routinesOf(code: string): Map<string, Routine> {
  const routines = new Map<string, Routine>();
  const declaration = new RegExp(`^(Процедура|Функция)\\s+(${letter}+)\\s*\\(`, 'gmu');
  for (const match of code.matchAll(declaration)) {
    const open = match.index + match[0].length - 1;
    const list = parenthesised(code, open);
    const params = topLevelParts(list);
    const tail = code.slice(open + list.length + 2).split('\n')[0]!;
    routines.set(match[2]!, {
      name: match[2]!,
      kind: match[1] as Routine['kind'],
      exported: new RegExp(`^\\s*Экспорт(?!${letter})`, 'u').test(tail),
      required: params.filter((param) => !param.includes('=')).length,
      total: params.length,
    });
  }
  return routines;
}

/** Each call of `Module.Name(...)` in the code, with its argument count and line. */
function callsInto(code: string, module: string) {
  const call = new RegExp(`(?<!${letter})${module}\\.(${letter}+)\\s*\\(`, 'gu');
  return [...code.matchAll(call)].map((match) => ({
    name: match[1]!,
    args: topLevelParts(parenthesised(code, match.index + match[0].length - 1)).length,
    line: code.slice(0, match.index).split('\n').length,
  }));
}

/** Calls of a module's own routines (not through a module name), with their argument counts. */
function localCalls(code: string, routines: Map<string, Routine>) {
  const call = new RegExp(`(?<![\\p{L}\\p{N}_.])(${letter}+)\\s*\\(`, 'gu');
  return (
    [...code.matchAll(call)]
      .filter((match) => routines.has(match[1]!))
      // Not the declaration itself.
      .filter(
        (match) =>
          !/^(Процедура|Функция)\s+$/u.test(
            code.slice(code.lastIndexOf('\n', match.index) + 1, match.index),
          ),
      )
      .map((match) => ({
        name: match[1]!,
        args: topLevelParts(parenthesised(code, match.index + match[0].length - 1)).length,
        line: code.slice(0, match.index).split('\n').length,
      }))
  );
}

/** What is wrong with the calls from `code` to the routines of a module. */
function callProblems(
  calls: { name: string; args: number; line: number }[],
  routines: Map<string, Routine>,
  options: { mustExport: boolean },
): string[] {
  return calls.flatMap((call) => {
    const routine = routines.get(call.name);
    if (!routine) return [`${call.line}: ${call.name} does not exist`];
    if (options.mustExport && !routine.exported)
      return [`${call.line}: ${call.name} is not exported`];
    if (call.args < routine.required || call.args > routine.total)
      return [
        `${call.line}: ${call.name} takes ${routine.required}–${routine.total} arguments, given ${call.args}`,
      ];
    return [];
  });
}

/**
 * How many arguments some of the platform's own functions take (1C:Enterprise 8.3's syntax
 * assistant), the ones whose misuse a configurator would refuse: `СоединитьДвоичныеДанные` takes
 * one array, not two values.
 */
const platformArity: Record<string, [number, number]> = {
  СоединитьДвоичныеДанные: [1, 1],
  ПолучитьHexСтрокуИзДвоичныхДанных: [1, 1],
  ПолучитьБуферДвоичныхДанныхИзДвоичныхДанных: [1, 1],
  ПолучитьДвоичныеДанныеИзБуфераДвоичныхДанных: [1, 1],
  ПолучитьДвоичныеДанныеИзСтроки: [1, 3],
  ПолучитьСтрокуИзДвоичныхДанных: [1, 2],
  ПобитовоеИсключительноеИли: [2, 2],
  Base64Строка: [1, 1],
  Base64Значение: [1, 1],
  НРег: [1, 1],
  СокрЛП: [1, 1],
  ПустаяСтрока: [1, 1],
  СтрДлина: [1, 1],
  Лев: [2, 2],
  Сред: [2, 3],
  СтрНачинаетсяС: [2, 2],
  СтрЗаканчиваетсяНа: [2, 2],
  ТипЗнч: [1, 1],
  ЗначениеЗаполнено: [1, 1],
  ТекущаяДатаСеанса: [0, 0],
  ТекущаяУниверсальнаяДатаВМиллисекундах: [0, 0],
  ИнформацияОбОшибке: [0, 0],
  КраткоеПредставлениеОшибки: [1, 1],
  ПодробноеПредставлениеОшибки: [1, 1],
  ЗафиксироватьТранзакцию: [0, 0],
  ОтменитьТранзакцию: [0, 0],
  ТранзакцияАктивна: [0, 0],
};

/** Calls of the platform's functions above with another number of arguments. */
function platformCallProblems(code: string): string[] {
  const call = new RegExp(`(?<![\\p{L}\\p{N}_.])(${letter}+)\\s*\\(`, 'gu');
  return [...code.matchAll(call)].flatMap((match) => {
    const arity = platformArity[match[1]!];
    if (!arity) return [];
    const args = topLevelParts(parenthesised(code, match.index + match[0].length - 1)).length;
    const line = code.slice(0, match.index).split('\n').length;
    return args < arity[0] || args > arity[1]
      ? [`${line}: ${match[1]} takes ${arity[0]}–${arity[1]} arguments, given ${args}`]
      : [];
  });
}

const files = readdirSync(path.join(kitDir, 'src')).filter((file) => file.endsWith('.bsl'));
const moduleCode = (part: string) =>
  codeOf(
    readFileSync(
      path.join(
        kitDir,
        'src',
        files.find((file) => file.includes(part))!,
      ),
      'utf8',
    ),
  );
const commonModules = ['PayReqОбмен', 'PayReqСлужебный'] as const;

describe('the BSL modules of the 1C kit', () => {
  const codes = {
    service: moduleCode('HTTPСервис'),
    PayReqОбмен: moduleCode('ОбщийМодуль.PayReqОбмен'),
    PayReqСлужебный: moduleCode('ОбщийМодуль.PayReqСлужебный'),
  };
  const routines = {
    service: routinesOf(codes.service),
    PayReqОбмен: routinesOf(codes.PayReqОбмен),
    PayReqСлужебный: routinesOf(codes.PayReqСлужебный),
  };

  it.each(Object.keys(codes))('%s: every block is closed, in order', (name) => {
    expect(blockProblems(codes[name as keyof typeof codes])).toEqual([]);
  });

  it.each(Object.keys(codes))(
    '%s: calls the common modules’ exported routines with as many arguments as they take',
    (name) => {
      const key = name as keyof typeof codes;
      const code = codes[key];
      const own = localCalls(code, routines[key]);
      const across = commonModules.map((module) => ({ module, calls: callsInto(code, module) }));
      // A reader that finds no call checks nothing.
      expect(own.length + across.flatMap((item) => item.calls).length).toBeGreaterThan(5);
      for (const { module, calls } of across)
        expect(callProblems(calls, routines[module], { mustExport: true })).toEqual([]);
      expect(callProblems(own, routines[key], { mustExport: false })).toEqual([]);
    },
  );

  it.each(Object.keys(codes))(
    '%s: calls the platform’s functions with as many arguments as 1C takes',
    (name) => {
      expect(platformCallProblems(codes[name as keyof typeof codes])).toEqual([]);
    },
  );

  it('the guide’s BSL calls the platform’s functions as 1C takes them', () => {
    const guide = readFileSync(path.join(kitDir, '../apps/api/docs/onec-guide.md'), 'utf8');
    const bsl = [...guide.matchAll(/```bsl\n([\s\S]*?)```/g)].map((match) => codeOf(match[1]!));
    expect(bsl.length).toBeGreaterThan(1);
    for (const code of bsl) expect(platformCallProblems(code)).toEqual([]);
  });

  it('has the HTTP service’s handlers and the scheduled job’s method the README names', () => {
    const readme = readFileSync(path.join(kitDir, 'README.md'), 'utf8');
    const handlers = [...readme.matchAll(/\|\s*`(GET|POST)`\s*\|\s*`([^`]+)`\s*\|/g)].map(
      (match) => match[2]!,
    );
    expect(handlers).toEqual([
      'ЗаявкиPOST',
      'ЗаявкаGET',
      'ДокументыЗаявкиPOST',
      'ОбновленияЗаявкиPOST',
    ]);
    for (const handler of handlers) expect(routines.service.get(handler)?.kind).toBe('Функция');
    const job = /метод `PayReqОбмен\.([^`]+)`/u.exec(readme)![1]!;
    expect(routines.PayReqОбмен.get(job)).toMatchObject({
      kind: 'Процедура',
      exported: true,
      total: 0,
    });
  });

  it('the checks would catch a block left open, a private routine called, a wrong count', () => {
    const broken = codeOf(
      [
        'Процедура А() Экспорт',
        '\tЕсли Истина Тогда',
        '\t\tСтрока = "КонецЕсли // not code";',
        'КонецПроцедуры',
      ].join('\n'),
    );
    expect(blockProblems(broken)).toEqual([
      '4: КонецПроцедуры closes Если of line 2',
      '1: Процедура never closed',
    ]);
    const callee = routinesOf(
      codeOf('Функция Б(Знач Х, Знач У = 0) Экспорт\nКонецФункции\nФункция В()\nКонецФункции\n'),
    );
    const caller = codeOf('М.Б(1, Ф(2, 3), 4);\nМ.В();\nМ.Г();\nМ.Б("а, б");\n');
    expect(callProblems(callsInto(caller, 'М'), callee, { mustExport: true })).toEqual([
      '1: Б takes 1–2 arguments, given 3',
      '2: В is not exported',
      '3: Г does not exist',
    ]);
    expect(
      platformCallProblems(codeOf('Х = СоединитьДвоичныеДанные(А, Б);\nУ = НРег(СокрЛП(З));\n')),
    ).toEqual(['1: СоединитьДвоичныеДанные takes 1–1 arguments, given 2']);
  });
});
