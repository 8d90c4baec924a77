import type {
  DocumentKind,
  DocumentRequestView,
  OnecDocumentBody,
  OnecDocumentRequestOutcome,
  OnecDocumentResult,
} from '@payreq/contracts';
import { chatIdToWire, onecKinds, telegramKinds } from '@payreq/contracts';
import type { Actor } from '@payreq/domain';

import type { Db, Tx } from '../db';
import { transaction } from '../db';
import { AppError, forbidden } from '../errors';
import type { FileStore } from '../storage/file-store';
import type { RequestAccess } from './access';
import { loadAccess, requirePermission } from './access';
import { mismatchedType } from './assets';
import { recordHistory } from './history';
import { mimeMatchesContent } from './mime';
import { enqueueOutbox } from './outbox';
import type { OnecActor } from './onec-inbound';
import type { ServiceContext } from './requests';
import { toDocumentRequestView } from './views';

async function documentRequestsOf(tx: Tx, requestId: string): Promise<DocumentRequestView[]> {
  const rows = await tx.documentRequest.findMany({
    where: { requestId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toDocumentRequestView);
}

/**
 * An agent asks 1C to generate a document (the Mini App, or `/document` in the deal room): a
 * DocumentRequest (QUEUED) and the outbox message `onec.requestDocument` in one transaction,
 * with a history row. The worker sends it to 1C (SENT); 1C posts the file later with the same
 * id (FULFILLED). Allowed by `documents.generate`: the linked agent of a submitted in-house
 * request.
 */
export async function requestDocumentGeneration(
  ctx: ServiceContext,
  input: { requestId: string; kind: DocumentKind },
): Promise<DocumentRequestView[]> {
  return transaction(ctx.db, async (tx) => {
    await requestDocumentGenerationInTx(tx, ctx.actor, ctx.now(), input);
    return documentRequestsOf(tx, input.requestId);
  });
}

/** The same, in the caller's transaction; answers the new document request's id. */
export async function requestDocumentGenerationInTx(
  tx: Tx,
  actor: Actor,
  now: Date,
  input: { requestId: string; kind: DocumentKind },
): Promise<string> {
  const access = await loadAccess(tx, actor, input.requestId, { lock: true });
  requirePermission(access, 'documents.generate');
  const created = await tx.documentRequest.create({
    data: { requestId: input.requestId, kind: input.kind, requestedBy: actor.name },
  });
  // In the request's own order: never sent to 1C before the request itself.
  await enqueueOutbox(tx, [
    {
      target: 'ONEC',
      kind: onecKinds.requestDocument,
      payload: {
        requestId: input.requestId,
        documentRequestId: created.id,
        kind: input.kind,
      },
    },
  ]);
  await recordHistory(
    tx,
    input.requestId,
    actor,
    [{ field: 'documentRequest', from: null, to: { id: created.id, kind: input.kind } }],
    now,
  );
  return created.id;
}

/** Only 1C's own (in-house) requests take documents from 1C. */
function requireOnecParty(access: RequestAccess): void {
  requirePermission(access, 'documents.view');
  if (access.relation !== 'onec') throw forbidden();
}

/**
 * The checks of a document post that need no transaction, made before the file is written,
 * so a refused post leaves no file behind: the request exists and is 1C's.
 */
export async function checkOnecDocumentPost(
  db: Db,
  actor: OnecActor,
  requestId: string,
): Promise<void> {
  requireOnecParty(await loadAccess(db as unknown as Tx, actor, requestId));
}

export interface StoredFile {
  key: string;
  sha256: string;
  size: number;
}

export const documentTooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', {
    ru: `Файл больше допустимого размера (${maxBytes} байт)`,
    en: `The file is larger than the allowed ${maxBytes} bytes`,
  });

/** Size of the bytes a (valid, padded) base64 text decodes to, without decoding it. */
export function base64DecodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/**
 * Decodes a document's base64 and puts the bytes in the file store (content-addressed: the
 * same file is kept once). Refuses with 413 over `maxBytes`, before decoding.
 */
export async function putOnecDocumentFile(
  files: FileStore,
  document: { contentBase64: string; mime: OnecDocumentBody['mime'] },
  maxBytes: number,
): Promise<StoredFile> {
  const { contentBase64 } = document;
  if (base64DecodedLength(contentBase64) > maxBytes) throw documentTooLarge(maxBytes);
  const bytes = Buffer.from(contentBase64, 'base64');
  if (bytes.byteLength > maxBytes) throw documentTooLarge(maxBytes);
  if (bytes.byteLength === 0) {
    throw new AppError('VALIDATION_FAILED', {
      ru: 'Файл пустой',
      en: 'The file is empty',
    });
  }
  // The same check as uploads: a declared type is believed only when the bytes agree.
  if (!mimeMatchesContent(document.mime, bytes)) throw mismatchedType(document.mime, bytes);
  return files.put(bytes);
}

/**
 * `POST .../documents`: a document 1C generated, in the caller's transaction: the Asset
 * (found or created by sha256), the Document (source ONEC, onecId = Ref_Key), the
 * DocumentRequest it answers (FULFILLED), a history row, and `telegram.document` for the
 * deal-room bot. The same Ref_Key with the same file answers the document already stored.
 */
export async function storeOnecDocumentInTx(
  tx: Tx,
  actor: OnecActor,
  requestId: string,
  input: { body: OnecDocumentBody; file: StoredFile },
  options: { now: Date; warn?: (obj: object, msg: string) => void },
): Promise<{ created: boolean; result: OnecDocumentResult }> {
  const { body, file } = input;
  const access = await loadAccess(tx, actor, requestId, { lock: true });
  requireOnecParty(access);
  const onecId = body.Ref_Key.toLowerCase();
  const existing = await tx.document.findUnique({ where: { onecId } });
  if (existing) {
    if (existing.requestId !== requestId || existing.sha256 !== file.sha256) {
      throw new AppError('ALREADY_EXISTS', {
        ru: `Документ 1С ${onecId} уже получен с другим содержимым или по другой заявке`,
        en: `The 1C document ${onecId} was already received with other content or for another request`,
      });
    }
    return {
      created: false,
      result: {
        documentId: existing.id,
        requestId,
        sha256: existing.sha256,
        size: existing.size,
        documentRequest: await answerDocumentRequest(tx, requestId, body, existing.id, options),
      },
    };
  }

  // Found or created by content; concurrent posts of the same bytes meet on the unique sha256.
  await tx.asset.createMany({
    data: [
      {
        sha256: file.sha256,
        storageKey: file.key,
        mime: body.mime,
        size: file.size,
        fileName: body.fileName,
      },
    ],
    skipDuplicates: true,
  });
  const asset = await tx.asset.findUniqueOrThrow({ where: { sha256: file.sha256 } });
  const document = await tx.document.create({
    data: {
      requestId,
      kind: body.kind,
      fileName: body.fileName,
      mime: body.mime,
      size: file.size,
      sha256: file.sha256,
      assetId: asset.id,
      source: 'ONEC',
      onecId,
    },
  });

  const documentRequest = await answerDocumentRequest(tx, requestId, body, document.id, options);

  await recordHistory(
    tx,
    requestId,
    actor,
    [
      {
        field: 'document',
        from: null,
        to: {
          id: document.id,
          kind: body.kind,
          fileName: body.fileName,
          ...(body.number ? { number: body.number } : {}),
          ...(body.date ? { date: body.date } : {}),
        },
      },
    ],
    options.now,
  );
  const chatId = access.request.telegramChatId;
  if (chatId !== null) {
    await enqueueOutbox(tx, [
      {
        target: 'TELEGRAM',
        kind: telegramKinds.document,
        payload: { requestId, chatId: chatIdToWire(chatId), documentId: document.id },
      },
    ]);
  }
  await tx.paymentRequest.update({ where: { id: requestId }, data: { updatedAt: options.now } });
  return {
    created: true,
    result: {
      documentId: document.id,
      requestId,
      sha256: file.sha256,
      size: file.size,
      documentRequest,
    },
  };
}

/**
 * Fulfils the agent's document request a 1C document answers, and says what became of it (see
 * `OnecDocumentRequestOutcome`). One fulfilled before with another document keeps it.
 */
async function answerDocumentRequest(
  tx: Tx,
  requestId: string,
  body: OnecDocumentBody,
  documentId: string,
  options: { warn?: (obj: object, msg: string) => void },
): Promise<OnecDocumentRequestOutcome | null> {
  if (!body.documentRequestId) return null;
  const asked = await tx.documentRequest.findFirst({
    where: { id: body.documentRequestId, requestId },
    select: { state: true, documentId: true },
  });
  const said = { requestId, documentRequestId: body.documentRequestId, documentId };
  if (!asked) {
    options.warn?.(
      said,
      '1C posted a document for an unknown document request; stored without fulfilling it',
    );
    return 'UNKNOWN';
  }
  if (asked.state === 'FULFILLED' && asked.documentId !== documentId) {
    options.warn?.(
      said,
      '1C posted a second document for a fulfilled document request; the first stays',
    );
    return 'FULFILLED_BY_ANOTHER';
  }
  if (asked.documentId !== documentId)
    await tx.documentRequest.update({
      where: { id: body.documentRequestId },
      data: { state: 'FULFILLED', documentId, error: null },
    });
  return 'FULFILLED';
}
