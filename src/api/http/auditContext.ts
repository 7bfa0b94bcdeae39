/** Who acts and on which request, as the audited use-cases take it (src/audit/auditLog.ts). */
import type { Context } from 'koa';
import type { AuditContext } from '../../audit/auditLog';
import type { AuthenticatedUser } from '../context';

export function auditContextOf(ctx: Context, user: AuthenticatedUser): AuditContext {
  return { actor: { userId: user.id, email: user.email }, requestId: ctx.requestId };
}
