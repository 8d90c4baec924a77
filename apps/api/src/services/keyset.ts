import { AppError } from '../errors';

/**
 * Keyset paging over rows ordered by `keys`, descending: the rows past `cursor`, those smaller
 * than it on the keys taken in turn (the first smaller; or the first equal and the second
 * smaller; and so on), as Prisma `OR` conditions. The last key must be unique.
 */
export function pastCursor<Cursor extends object>(
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
