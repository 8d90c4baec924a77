import { parseArgs } from 'node:util';

import type { CliEnv } from './env';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const usage = `Usage: tsx src/cli.ts <command> [arguments]

  list                                  requests received from the platform
  show <ref|platformId>                 one request with offers, documents, jobs and calls
  offer <ref|platformId> --rate R --fee-percent P --fixed-fee F [--total T] --days D
        [--valid-until YYYY-MM-DD] [--comment text]
                                        compute an offer and post it to the platform
  status <ref|platformId> <IN_PROGRESS|COMPLETED|CANCELLED> [--comment text]
  payment-status <ref|platformId> <TEST_PAYMENT_CONFIRMED|PAYMENT_RECEIVED|PAYOUT_DONE|...>
  document <ref|platformId> <INVOICE|ACT|CONTRACT|AGENT_REPORT|SWIFT_CONFIRMATION|RECEIPT|OTHER>
  fulfil <jobRef>                       generate and post a queued document job
  retry                                 post the failed calls again
  calls                                 every call made to the platform, with its answer
  fault <off|down|slow|error500|malformed|throttle> [--count N] [--delay-ms N] [--behavior reset|503]
        [--body text|html|json] [--retry-after N]
  reset                                 forget everything

Environment: ONEC_EMULATOR_URL (default http://127.0.0.1:4020/bank),
             ONEC_EMULATOR_USERNAME, ONEC_EMULATOR_PASSWORD.`;

class CliError extends Error {}

/** Runs one CLI command against a running emulator over HTTP; returns the exit code. */
export async function runCli(argv: string[], env: CliEnv, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rate: { type: 'string' },
        'fee-percent': { type: 'string' },
        'fixed-fee': { type: 'string' },
        total: { type: 'string' },
        days: { type: 'string' },
        'valid-until': { type: 'string' },
        comment: { type: 'string' },
        count: { type: 'string' },
        'delay-ms': { type: 'string' },
        behavior: { type: 'string' },
        body: { type: 'string' },
        'retry-after': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    io.out(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }

  const base = env.ONEC_EMULATOR_URL.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const authorization = `Basic ${Buffer.from(`${env.ONEC_EMULATOR_USERNAME}:${env.ONEC_EMULATOR_PASSWORD}`, 'utf8').toString('base64')}`;
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(`Cannot reach the emulator at ${url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // keep the text
    }
    if (!response.ok) {
      const message = (data as { error?: { message?: string } })?.error?.message ?? text;
      throw new CliError(`HTTP ${response.status}: ${message}`);
    }
    return data;
  };
  const api = (path: string) => `${base}/operator/api${path}`;
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new CliError(`Missing ${what}\n\n${usage}`);
    return value;
  };
  const id = () => encodeURIComponent(need(rest[0], '<ref|platformId>'));
  const number = (value: string | undefined, what: string) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new CliError(`${what} must be a number`);
    return n;
  };

  try {
    let result: unknown;
    switch (command) {
      case 'list': {
        const { items } = (await call('GET', api('/requests'))) as {
          items: Array<Record<string, unknown>>;
        };
        if (items.length === 0) {
          io.out('No requests yet.\n');
          return 0;
        }
        for (const r of items) {
          io.out(
            `${r.ref}  ${r.number}  ${r.displayNumber}  ${r.status}/${r.paymentStatus}  ${r.amount ?? '-'} ${r.currency ?? ''}  ${r.payerName ?? '-'}  platform ${r.platformId}\n`,
          );
        }
        return 0;
      }
      case 'show':
        result = await call('GET', api(`/requests/${id()}`));
        break;
      case 'offer':
        result = await call('POST', api(`/requests/${id()}/offer`), {
          rate: need(values.rate, '--rate'),
          feePercent: need(values['fee-percent'], '--fee-percent'),
          fixedFee: need(values['fixed-fee'], '--fixed-fee'),
          totalToPay: values.total ?? null,
          settlementDays: number(need(values.days, '--days'), '--days'),
          validUntil: values['valid-until'] ?? null,
          comment: values.comment ?? null,
        });
        break;
      case 'status':
        result = await call('POST', api(`/requests/${id()}/status`), {
          status: need(rest[1], '<status>'),
          comment: values.comment ?? null,
        });
        break;
      case 'payment-status':
        result = await call('POST', api(`/requests/${id()}/payment-status`), {
          paymentStatus: need(rest[1], '<paymentStatus>'),
          comment: values.comment ?? null,
        });
        break;
      case 'document':
        result = await call('POST', api(`/requests/${id()}/documents`), {
          kind: need(rest[1], '<kind>'),
        });
        break;
      case 'fulfil':
        result = await call(
          'POST',
          api(`/jobs/${encodeURIComponent(need(rest[0], '<jobRef>'))}/fulfil`),
          {},
        );
        break;
      case 'retry':
        result = await call('POST', api('/deliveries/retry'), {});
        break;
      case 'calls':
        result = await call('GET', api('/calls'));
        break;
      case 'fault': {
        const mode = need(rest[0], '<mode>');
        const fault: Record<string, unknown> = { mode };
        if (values.count !== undefined) fault.count = number(values.count, '--count');
        if (values['delay-ms'] !== undefined)
          fault.delayMs = number(values['delay-ms'], '--delay-ms');
        if (values.behavior !== undefined) fault.behavior = values.behavior;
        if (values.body !== undefined) fault.body = values.body;
        if (values['retry-after'] !== undefined)
          fault.retryAfterSeconds = number(values['retry-after'], '--retry-after');
        result = await call('POST', `${origin}/__emulator/faults`, fault);
        break;
      }
      case 'reset':
        result = await call('POST', `${origin}/__emulator/reset`, {});
        break;
      default:
        io.err(`Unknown command: ${command}\n\n${usage}\n`);
        return 2;
    }
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    const state = (result as { delivery?: { state?: string } } | null)?.delivery?.state;
    return state === 'FAILED' ? 1 : 0;
  } catch (error) {
    io.err(`${(error as Error).message}\n`);
    return 1;
  }
}
