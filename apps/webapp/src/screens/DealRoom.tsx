import type { RequestView } from '../api';
import { useMemo } from 'react';

import type { Api } from '../api';
import {
  failureOf,
  fetchDocument,
  importChatExport,
  requestDocumentFromOnec,
  trpc,
  uploadAttachment,
} from '../api';
import { draftKey } from '../draft';
import type { I18n } from '@payreq/ui';
import { createI18n } from '@payreq/ui';
import type { Launch } from '../telegram';
import { FullScreenMessage, Loading } from './Messages';
import type { RequestActions } from './RequestScreen';
import { RequestScreen } from './RequestScreen';

/**
 * The deal room: the chat's one request, bound by the launch token inside the signed init
 * data. What is shown and allowed comes from `me.permissions` of `miniApp.session`.
 */
export function DealRoom(props: { api: Api; launch: Launch; fallbackI18n: I18n }) {
  const { api } = props;
  const utils = trpc.useUtils();
  const session = trpc.miniApp.session.useQuery(undefined, {
    // While 1C has not answered yet, look more often: the 1C link appears on its own.
    refetchInterval: (query) => {
      const request = query.state.data?.request;
      return request?.inHouse && request.status === 'COLLECTING_OFFERS' && !request.onecUrl
        ? 3_000
        : 20_000;
    },
  });
  const data = session.data;
  const locale = data?.me.settings.locale ?? props.fallbackI18n.locale;
  const i18n = useMemo(
    () => (locale === props.fallbackI18n.locale ? props.fallbackI18n : createI18n(locale)),
    [locale, props.fallbackI18n],
  );

  const actions = useMemo<RequestActions>(() => {
    const put = (view: RequestView | null) => {
      if (view) {
        utils.miniApp.session.setData(undefined, (old) => (old ? { ...old, request: view } : old));
      }
      // Permissions follow the status: read them again.
      void utils.miniApp.session.invalidate();
    };
    return {
      save: (input) => api.client.miniApp.save.mutate(input),
      fresh: async () => {
        const fresh = await api.client.miniApp.session.query();
        utils.miniApp.session.setData(undefined, fresh);
        return fresh.request;
      },
      changed: put,
      setStatus: (status, version) => api.client.miniApp.setStatus.mutate({ status, version }),
      setPaymentStatus: (paymentStatus) =>
        api.client.miniApp.setPaymentStatus.mutate({ paymentStatus }),
      requestDocument: (kind) => requestDocumentFromOnec(api, kind),
      uploadAttachment: async (file, kind) => {
        await uploadAttachment(api, i18n, file, kind);
      },
      importChat: (file) => importChatExport(api, i18n, file),
      openDocument: (documentId) => fetchDocument(api, i18n, documentId),
      olderHistory: (before) => api.client.miniApp.history.query({ before }),
    };
  }, [api, utils, i18n]);

  if (session.isPending) return <Loading i18n={i18n} />;
  if (session.isError || !data) {
    const failure = failureOf(session.error, i18n);
    return (
      <FullScreenMessage
        i18n={i18n}
        text={failure.message}
        onRetry={failure.code === 'NETWORK' ? () => void session.refetch() : undefined}
      />
    );
  }
  const userId = data.me.telegramId ?? props.launch.userId;
  return (
    <RequestScreen
      i18n={i18n}
      request={data.request}
      permissions={data.me.permissions}
      draftKey={data.chat && userId !== null ? draftKey(data.chat.id, userId) : null}
      actions={actions}
      chatTitle={data.chat?.title ?? null}
    />
  );
}
