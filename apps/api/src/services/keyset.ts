import { AppError } from '../errors';

/**
 * Keyset paging, newest first: the rows that sort before `cursor` in descending order over
 * `keys` (the first key smaller; or equal and the second smaller; and so on), as Prisma `OR`
 * conditions. The last key must be unique, so that no two rows share a position.
 */
export function sortedBefore<Cursor extends object>(
  cursor: Cursor,
  keys: readonly (keyof Cursor & string)[],
): { OR: { [Key in keyof Cursor]?: Cursor[Key] | { lt: Cursor[Key] } }[] } {
  return {
    OR: keys.map((key, index) => ({
      ...Object.fromEntries(keys.slice(0, index).map((equal) => [equal, cursor[equal]])),
      [key]: { lt: cursor[key] },
    })) as { [Key in keyof Cursor]?: Cursor[Key] | { lt: Cursor[Key] } }[],
  };
}

/** A page cursor that is not one this api wrote. */
export const invalidCursor = () =>
  new AppError('VALIDATION_FAILED', { ru: 'Неверный курсор страницы', en: 'Invalid page cursor' });
