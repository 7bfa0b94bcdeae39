/**
 * The identity Temporal gives the sender of an operator's action, read from the workflow's own history: what the
 * Web UI or CLI (or any client) set as its identity. It is recorded beside the operator's name as typed; neither
 * proves a user of ours (those act through the API, with a decision token).
 */
import { Context } from '@temporalio/activity';
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDependencies } from './dependencies';

/** What the update's handler knows of its update, for its activity to find it in the history. */
export interface UpdateSender {
  updateId?: string;
}

/** The identity of the client that sent update `updateId` to this activity's workflow run, or null. */
export async function updateSenderIdentity(deps: ActivityDependencies, updateId: string | undefined) {
  if (!deps.temporal || !updateId) return null;
  for (const event of await ownHistory(deps.temporal)) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (!accepted) continue;
    const meta = accepted.acceptedRequest?.meta;
    if (meta?.updateId === updateId || accepted.protocolInstanceId === updateId) return meta?.identity || null;
  }
  return null;
}

/** The identity of the client that started this activity's workflow (its first event), or null. */
export async function starterIdentity(deps: ActivityDependencies): Promise<string | null> {
  if (!deps.temporal) return null;
  const [first] = await ownHistory(deps.temporal);
  return first?.workflowExecutionStartedEventAttributes?.identity || null;
}

/** gRPC's NOT_FOUND, as fetchHistory reports a run Temporal does not have. */
const GRPC_NOT_FOUND = 5;

async function ownHistory(temporal: NonNullable<ActivityDependencies['temporal']>) {
  const execution = Context.current().info.workflowExecution;
  if (!execution) return [];
  const { workflowId, runId } = execution;
  try {
    const history = await temporal.handle.client.workflow.getHandle(workflowId, runId).fetchHistory();
    return history.events ?? [];
  } catch (error) {
    // A run Temporal no longer has (past its retention; a test's mock) has no identity to give: recorded as unknown.
    if (error instanceof WorkflowNotFoundError || (isGrpcServiceError(error) && Number(error.code) === GRPC_NOT_FOUND))
      return [];
    throw error;
  }
}
