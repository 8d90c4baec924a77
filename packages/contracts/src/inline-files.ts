/**
 * Types a browser shows but never runs: they open in place. Every other file (HTML, SVG, XML,
 * text, office files, ...) is served and saved as a download, whatever its name says, so nothing
 * from a chat, an upload or 1C can run script on the platform's origin.
 */
export const inlineSafeMimeTypes = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
] as const;

export function opensInPlace(mime: string): boolean {
  return (inlineSafeMimeTypes as readonly string[]).includes(
    mime.split(';')[0]!.trim().toLowerCase(),
  );
}
