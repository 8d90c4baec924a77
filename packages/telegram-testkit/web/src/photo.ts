/**
 * A picture sent as a photo, compressed as Telegram's clients compress it before upload: drawn
 * to a canvas no larger than 2560 px on its longer side (aspect kept), on white (a transparent
 * PNG's background), and re-encoded as JPEG. Telegram keeps every photo as a JPEG; whatever was
 * picked (PNG, WebP, the first frame of a GIF, …) arrives as one. A picture sent as a file is not
 * touched.
 */

/** Telegram's largest photo size: 2560 px on the longer side. */
const PHOTO_MAX_SIDE = 2560;
/** About what Telegram's web clients use. */
const PHOTO_QUALITY = 0.87;

export class NotAPictureError extends Error {
  override readonly name = 'NotAPictureError';
}

type Picture = { source: CanvasImageSource; width: number; height: number; close(): void };

async function decode(file: Blob): Promise<Picture> {
  try {
    const bitmap = await createImageBitmap(file);
    return {
      source: bitmap,
      width: bitmap.width,
      height: bitmap.height,
      close: () => bitmap.close(),
    };
  } catch {
    // Some formats (SVG) decode only through an <img>.
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.src = url;
    try {
      await image.decode();
    } catch {
      URL.revokeObjectURL(url);
      throw new NotAPictureError('not a picture');
    }
    return {
      source: image,
      width: image.naturalWidth,
      height: image.naturalHeight,
      close: () => URL.revokeObjectURL(url),
    };
  }
}

export async function compressPhoto(file: Blob): Promise<Blob> {
  const picture = await decode(file);
  try {
    if (picture.width < 1 || picture.height < 1) throw new NotAPictureError('an empty picture');
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(picture.width, picture.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(picture.width * scale));
    canvas.height = Math.max(1, Math.round(picture.height * scale));
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas to compress the photo');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = 'high';
    context.drawImage(picture.source, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) =>
          blob ? resolve(blob) : reject(new Error('the browser could not encode the photo')),
        'image/jpeg',
        PHOTO_QUALITY,
      ),
    );
  } finally {
    picture.close();
  }
}
