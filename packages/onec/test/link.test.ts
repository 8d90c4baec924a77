import { describe, expect, it } from 'vitest';

import { guidToOnecRefHex, onecRefHexToGuid, onecWebLink, parseOnecWebLink } from '../src';

describe('1C navigation links', () => {
  // Worked example: the GUID's groups a-b-c-d-e appear in the link as d, e, c, b, a.
  const guid = '8a4c2b1e-3f5d-11ee-a7c9-0050569f1a2b';
  const refHex = 'a7c9' + '0050569f1a2b' + '11ee' + '3f5d' + '8a4c2b1e';

  it('rearranges the GUID groups the way 1C prints references', () => {
    expect(refHex).toBe('a7c90050569f1a2b11ee3f5d8a4c2b1e');
    expect(guidToOnecRefHex(guid)).toBe(refHex);
    expect(guidToOnecRefHex('AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE')).toBe(
      'ddddeeeeeeeeeeeeccccbbbbaaaaaaaa',
    );
  });

  it('inverts the rearrangement', () => {
    expect(onecRefHexToGuid(refHex)).toBe(guid);
    expect(onecRefHexToGuid(refHex.toUpperCase())).toBe(guid);
    const random = crypto.randomUUID();
    expect(onecRefHexToGuid(guidToOnecRefHex(random))).toBe(random);
  });

  it('builds a web-client link with the document name percent-encoded', () => {
    const link = onecWebLink('https://1c.bank.example/bank/', 'ЗаявкаНаПлатеж', guid);
    expect(link).toBe(
      `https://1c.bank.example/bank/#e1cib/data/Document.${encodeURIComponent('ЗаявкаНаПлатеж')}?ref=${refHex}`,
    );
    expect(link).toContain('Document.%D0%97%D0%B0%D1%8F%D0%B2');
    expect(parseOnecWebLink(link)).toEqual({
      webClientUrl: 'https://1c.bank.example/bank',
      objectType: 'Document',
      documentName: 'ЗаявкаНаПлатеж',
      guid,
    });
  });

  it('parses a link written with the name unencoded, and rejects others', () => {
    expect(parseOnecWebLink(`http://h/b/#e1cib/data/Document.Заявка?ref=${refHex}`)?.guid).toBe(
      guid,
    );
    expect(parseOnecWebLink('http://h/b/#e1cib/list/Document.Заявка')).toBeNull();
  });

  it('rejects what is not a GUID or a reference', () => {
    expect(() => guidToOnecRefHex('not-a-guid')).toThrow(RangeError);
    expect(() => onecRefHexToGuid('abc')).toThrow(RangeError);
  });
});
