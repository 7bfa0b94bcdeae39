/**
 * Who decides, as the updates' validators read it from their input: for maker-checker decisions, the user proven
 * by the API's decision token (src/payouts/rules/decisionTokens.ts), never a user id typed into the Web UI; for cancel and
 * retry-failed, that user too, or an operator who names themselves (no user of ours), refused here if malformed.
 */
import {
  ACTOR_TOKEN_REQUIRED,
  checkDecisionToken,
  DECISION_TOKEN_REQUIRED,
  type DecisionAction,
  decisionTokenRefusalMessage,
  unverifiedDecisionPayload,
} from '../../src/payouts/rules/decisionTokens';
import { refuse } from '../refusals';

export interface DecisionExpected {
  act: DecisionAction;
  /** The bulk id, or the held line's transfer id. */
  target: string;
  /** Null: not known to this run (started before tokens existed); the decision's activity verifies the signature. */
  keys: readonly string[] | null;
  /** The fields the update's input may have, the token among them; absent: not looked at. */
  fields?: readonly string[];
  /** False once the decision has been accepted (the token was valid then). */
  checkExpiry?: boolean;
}

/** The deciding user's id, or a refusal: no token, a token that is not valid for this decision, other fields. */
export function decidingUser(input: unknown, expected: DecisionExpected): number {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    refuse('decision_token_required', DECISION_TOKEN_REQUIRED);
  }
  const fields = input as Record<string, unknown>;
  if (fields.token === undefined) refuse('decision_token_required', DECISION_TOKEN_REQUIRED);
  const unknown = expected.fields ? Object.keys(fields).filter((key) => !expected.fields?.includes(key)) : [];
  if (unknown.length > 0) {
    refuse('validation_error', {
      fr: `Champs inattendus dans la décision : ${unknown.join(', ')}.`,
      en: `Unexpected fields in the decision: ${unknown.join(', ')}.`,
    });
  }
  // Workflow time (deterministic): the token must still be valid when the update is accepted.
  const nowMs = expected.checkExpiry === false ? null : Date.now();
  if (expected.keys !== null) {
    const check = checkDecisionToken(fields.token, {
      act: expected.act,
      target: expected.target,
      keys: expected.keys,
      nowMs,
    });
    if (!check.ok) refuse('decision_token_invalid', decisionTokenRefusalMessage(check.refusal));
    return check.payload.sub;
  }
  const payload = unverifiedDecisionPayload(fields.token);
  if (!payload) refuse('decision_token_invalid', decisionTokenRefusalMessage('malformed'));
  if (payload.act !== expected.act) refuse('decision_token_invalid', decisionTokenRefusalMessage('wrong_action'));
  if (payload.target !== expected.target) refuse('decision_token_invalid', decisionTokenRefusalMessage('wrong_target'));
  if (nowMs !== null && payload.exp * 1000 <= nowMs) {
    refuse('decision_token_invalid', decisionTokenRefusalMessage('expired'));
  }
  return payload.sub;
}

/** Longest operator name kept (bulk_transfers.cancelled_by_operator, transfer_attempts.retried_by_operator). */
const MAX_OPERATOR_LENGTH = 100;

/**
 * Cancel's and retry-failed's actor: `{token}`, a user proven by the API's token for this action and bulk, or
 * `{operator}`, an operator's name (1 to 100 characters) from the Web UI or CLI, who is no user of ours. A `userId`
 * without a token is refused: anyone with Temporal access could name anyone. `fields`: any other field allowed.
 */
export function refuseUnprovenActor(actor: unknown, expected: DecisionExpected & { fields: readonly string[] }): void {
  const malformed = (what: string): never =>
    refuse('validation_error', {
      fr: `Acteur invalide (${what}) : {"operator": "<votre nom>"} (1 à ${MAX_OPERATOR_LENGTH} caractères), rien d'autre ; un utilisateur agit depuis la console ou par l'API.`,
      en: `Invalid actor (${what}): {"operator": "<your name>"} (1 to ${MAX_OPERATOR_LENGTH} characters), nothing else; a user acts from the console or through the API.`,
    });
  if (actor === undefined || actor === null) malformed('absent');
  if (typeof actor !== 'object' || Array.isArray(actor)) malformed(typeof actor);
  const fieldsOf = actor as Record<string, unknown>;
  const allowed = ['token', 'operator', 'userId', ...expected.fields];
  const unknown = Object.keys(fieldsOf).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) malformed(unknown.join(', '));
  const { token, operator, userId } = fieldsOf;
  if (token !== undefined) {
    if (operator !== undefined || userId !== undefined) malformed('token with operator or userId');
    decidingUser(actor, { ...expected, fields: ['token', ...expected.fields] });
    return;
  }
  if (userId !== undefined) refuse('decision_token_required', ACTOR_TOKEN_REQUIRED);
  if (typeof operator !== 'string' || operator.trim() === '' || operator.length > MAX_OPERATOR_LENGTH) {
    malformed('operator');
  }
}
