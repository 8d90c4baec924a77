import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { signOnecBody, verifyOnecSignature } from '../src';

describe('signOnecBody', () => {
  it('is hex HMAC-SHA256 of the raw body', () => {
    expect(signOnecBody('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('signs the UTF-8 bytes, so a string and its bytes agree', () => {
    const body = JSON.stringify({ comment: 'Счёт оплачен' });
    const signature = signOnecBody(body, 's3cret');
    expect(signOnecBody(Buffer.from(body, 'utf8'), 's3cret')).toBe(signature);
    expect(signature).toBe(
      createHmac('sha256', 's3cret').update(Buffer.from(body, 'utf8')).digest('hex'),
    );
  });

  it('verifies in constant time and refuses anything else', () => {
    const body = '{"status":"IN_PROGRESS"}';
    const signature = signOnecBody(body, 'k');
    expect(verifyOnecSignature(body, 'k', signature)).toBe(true);
    expect(verifyOnecSignature(body, 'k', signature.toUpperCase())).toBe(true);
    expect(verifyOnecSignature(`${body} `, 'k', signature)).toBe(false);
    expect(verifyOnecSignature(body, 'other', signature)).toBe(false);
    expect(verifyOnecSignature(body, 'k', 'abc')).toBe(false);
    expect(verifyOnecSignature(body, 'k', undefined)).toBe(false);
  });
});
