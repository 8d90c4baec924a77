/**
 * Links to 1C objects in the web client:
 * `https://host/<base>/#e1cib/data/Document.<Name>?ref=<32 hex digits>`.
 *
 * The `ref=` value is NOT the GUID's hex in textual order: 1C stores a reference as a 16-byte
 * UUID and prints its groups rearranged. For the GUID `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`
 * the link carries `dddd` + `eeeeeeeeeeee` + `cccc` + `bbbb` + `aaaaaaaa` (lower case).
 */

const GUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;
const REF_HEX = /^[0-9a-f]{32}$/i;

/** GUID (`Ref_Key`) → the 32 hex digits of a navigation link's `ref=`. */
export function guidToOnecRefHex(guid: string): string {
  const match = GUID.exec(guid.trim());
  if (!match) throw new RangeError(`Not a GUID: ${JSON.stringify(guid)}`);
  const [, a, b, c, d, e] = match as unknown as [string, string, string, string, string, string];
  return `${d}${e}${c}${b}${a}`.toLowerCase();
}

/** The 32 hex digits of a navigation link's `ref=` → the GUID (`Ref_Key`), lower case. */
export function onecRefHexToGuid(refHex: string): string {
  const hex = refHex.trim().toLowerCase();
  if (!REF_HEX.test(hex))
    throw new RangeError(`Not a 1C reference (32 hex digits): ${JSON.stringify(refHex)}`);
  const d = hex.slice(0, 4);
  const e = hex.slice(4, 16);
  const c = hex.slice(16, 20);
  const b = hex.slice(20, 24);
  const a = hex.slice(24, 32);
  return `${a}-${b}-${c}-${d}-${e}`;
}

/** A web-client link to a document: `{webClientUrl}/#e1cib/data/Document.{Name}?ref={hex}`. */
export function onecWebLink(webClientUrl: string, documentName: string, guid: string): string {
  const base = webClientUrl.replace(/\/+$/, '');
  return `${base}/#e1cib/data/Document.${encodeURIComponent(documentName)}?ref=${guidToOnecRefHex(guid)}`;
}

/** The inverse of `onecWebLink`; null when the string is not such a link. */
export function parseOnecWebLink(
  link: string,
): { webClientUrl: string; objectType: string; documentName: string; guid: string } | null {
  const match =
    /^(.*?)\/?#e1cib\/data\/([^.?#/]+)\.([^?#]+)\?(?:.*&)?ref=([0-9a-fA-F]{32})(?:&.*)?$/.exec(
      link,
    );
  if (!match) return null;
  const [, webClientUrl, objectType, name, ref] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  let documentName: string;
  try {
    documentName = decodeURIComponent(name);
  } catch {
    return null;
  }
  return { webClientUrl, objectType, documentName, guid: onecRefHexToGuid(ref) };
}
