/** /api/admin/audit: the audit log, newest first (staff). */
import { z } from 'zod';
import { AUDIT_KINDS, AUDIT_SUBJECT_TYPES, isAuditKind, listAudit, type AuditSubjectType } from '../../audit/auditLog';
import { IsAdminUser } from '../http/guards';
import { queryDate, queryId, queryInteger, queryText } from '../http/queryParams';
import { invalidFilter } from '../http/requestParsing';
import { defineRoute } from '../http/routeDefinition';
import { AuditPage } from '../schemas/admin';

const list = defineRoute({
  method: 'get',
  path: '/api/admin/audit',
  operationId: 'adminListAudit',
  tag: 'admin',
  summary: 'Who changed what, when, with the values before and after and the request id; newest first',
  access: { kind: 'user', guards: [IsAdminUser] },
  query: z.object({
    actor: queryId().meta({ description: 'Only the changes made by this user (id).' }),
    organization_id: queryId().meta({ description: 'Only the changes concerning this organization.' }),
    kind: queryText(64).meta({ description: `One of ${AUDIT_KINDS.join(', ')}.` }),
    subject_type: queryText(32).meta({
      description: `With subject_id: the history of one thing. One of ${AUDIT_SUBJECT_TYPES.join(', ')}.`,
    }),
    subject_id: queryText(128),
    from: queryDate().meta({ description: 'On or after this day (UTC).' }),
    to: queryDate().meta({ description: 'On or before this day (UTC).' }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 500 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of the log, with the total matching the filters.', schema: AuditPage } },
  handler: async ({ scope, query }) => {
    if (query.from && query.to && query.from > query.to)
      throw invalidFilter('to', { fr: 'to est avant from.', en: 'to is before from.' });
    const filters = {
      actorUserId: query.actor,
      organizationId: query.organization_id,
      kind: auditKindOf(query.kind),
      subjectType: subjectTypeOf(query.subject_type),
      subjectId: query.subject_id,
      fromDay: query.from,
      toDay: query.to,
      limit: query.limit,
      offset: query.offset,
    };
    const { total, results } = await listAudit(scope.db, filters);
    return { status: 200, body: { total, count: results.length, limit: query.limit, offset: query.offset, results } };
  },
});

function auditKindOf(text: string | null) {
  if (text === null || isAuditKind(text)) return text;
  throw invalidFilter('kind', {
    fr: `kind doit être l'une des valeurs ${AUDIT_KINDS.join(', ')}.`,
    en: `kind must be one of ${AUDIT_KINDS.join(', ')}.`,
  });
}

function subjectTypeOf(text: string | null): AuditSubjectType | null {
  if (text === null) return null;
  const known = AUDIT_SUBJECT_TYPES.find((type) => type === text);
  if (known) return known;
  const values = AUDIT_SUBJECT_TYPES.join(', ');
  throw invalidFilter('subject_type', {
    fr: `subject_type doit être l'une des valeurs ${values}.`,
    en: `subject_type must be one of ${values}.`,
  });
}

export const adminAuditRoutes = [list];
