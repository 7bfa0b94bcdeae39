import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

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
