/** How our typed refusals (src/errors) leave an activity, for the workflows that read them. */
import { ApplicationFailure } from '@temporalio/activity';
import { AppError } from '../src/errors';

/** A refusal is an answer, not an outage: never retried, its code as the failure type and its details kept. */
export async function refusalsAsFailures<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AppError) {
      throw ApplicationFailure.create({
        message: error.message,
        type: error.code,
        nonRetryable: true,
        details: [{ status: error.status, details: error.details ?? null, message: error.localized }],
      });
    }
    throw error;
  }
}
