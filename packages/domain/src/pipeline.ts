import type { PipelineKind, RequestSource } from '@payreq/contracts';

import { DomainError } from './errors';

export interface PipelineFacts {
  source: RequestSource;
  telegramChatId: bigint | number | null;
  tenant: { isMaster: boolean };
}

export interface Pipeline {
  kind: PipelineKind;
  /** The bank's own Telegram request: handled in-house and sent to 1C on submit. */
  inHouse: boolean;
  /** Offers are collected until a deadline, and a job expires the request after it. */
  hasDeadlines: boolean;
  /** An offer by the linked agent (or from 1C on its behalf) is accepted at once. */
  autoAcceptsLinkedAgentOffer: boolean;
  /** Submitting sends the request to 1C. */
  sendsToOnec: boolean;
  /** The Telegram chat is kept in sync (messages mirrored, changes announced). */
  syncsChat: boolean;
}

const standard: Pipeline = {
  kind: 'STANDARD',
  inHouse: false,
  hasDeadlines: true,
  autoAcceptsLinkedAgentOffer: false,
  sendsToOnec: false,
  syncsChat: false,
};

/**
 * Which road a request takes (docs/domain.md, Two roads). The Telegram flag decides the pipeline; the
 * tenant's master flag decides, within it, whether the request is the bank's in-house one.
 * A request the master tenant makes by hand in the platform UI stays standard.
 */
export function pipelineFor(request: PipelineFacts): Pipeline {
  const isTelegram = request.telegramChatId !== null;
  if (request.source === 'TELEGRAM' && !isTelegram) {
    throw new DomainError('VALIDATION_FAILED', 'PIPELINE_INVALID');
  }
  if (!isTelegram) return standard;
  const inHouse = request.tenant.isMaster;
  return {
    kind: 'TELEGRAM',
    inHouse,
    hasDeadlines: false,
    autoAcceptsLinkedAgentOffer: true,
    sendsToOnec: inHouse,
    syncsChat: true,
  };
}
