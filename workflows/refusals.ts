import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Message } from '../src/i18n/message';

/** An update's validator refuses: the API answers the code and the message in the caller's language (src/payouts/bulkWorkflowUpdates.ts). */
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
