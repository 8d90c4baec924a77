import { Button } from '@payreq/ui';
import { useState } from 'react';

import { trpc } from '../api';
import type { PortalI18n } from '../words';

/** An administrator's download of a request's full audit history, as CSV or JSON. */
export function HistoryExport(props: { i18n: PortalI18n; requestId: string }) {
  const utils = trpc.useUtils();
  const [busy, setBusy] = useState<string | null>(null);
  const save = async (format: 'csv' | 'json') => {
    setBusy(format);
    try {
      const file = await utils.admin.exportHistory.fetch({ requestId: props.requestId, format });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
      link.download = file.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="inline" data-testid="history-export">
      <Button busy={busy === 'csv'} onClick={() => void save('csv')} testId="export-csv">
        {props.i18n.p('exportCsv')}
      </Button>
      <Button busy={busy === 'json'} onClick={() => void save('json')} testId="export-json">
        {props.i18n.p('exportJson')}
      </Button>
    </div>
  );
}
