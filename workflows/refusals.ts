import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Message } from '../src/i18n/message';

/** An update's validator refuses: the API answers the code and the message in the caller's language (src/payouts/payoutClient.ts). */
export function refuse(code: string, message: Message): never {
  throw ApplicationFailure.create({ message: message.en, type: code, nonRetryable: true, details: [{ message }] });
}

/**
 * An activity's refusal (an ApplicationFailure whose type is our error code) becomes the caller's own failure: an
 * update's, or a workflow's, as the API and the Web UI read it. Anything else is rethrown as it is.
 */
export async function asOwnRefusal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
    throw error;
  }
}

/**
 * A decision's activity (approve, reject, cancel, a hold's release or rejection): its refusal becomes the update's,
 * as asOwnRefusal; anything else (its few attempts ran out: a bug, input the database will not take, an outage)
 * fails the update `decision_failed`, with the last error as its cause, instead of being retried for ever.
 */
export async function asDecision<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    if (error.cause instanceof ApplicationFailure && error.cause.nonRetryable) throw error.cause;
    const message: Message = {
      fr: "La décision n'a pas pu être enregistrée après plusieurs tentatives ; elle peut être renvoyée.",
      en: 'The decision could not be recorded after several attempts; it may be sent again.',
    };
    throw ApplicationFailure.create({
      message: message.en,
      type: 'decision_failed',
      nonRetryable: true,
      details: [{ message }],
      cause: error,
    });
  }
}
