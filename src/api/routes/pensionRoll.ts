/**
 * /api/pension-roll: the organization's beneficiaries. GESTIONNAIRE imports and changes them; SUPERVISEUR reads.
 * A beneficiary of another organization answers 404.
 *
 * Import: a CSV file checked line by line (src/domain/pensionRoll/rollCsv.ts); only a fully valid file is applied,
 * in one transaction, as an upsert by party (src/pensions/roll.ts).
 */
import { readFile } from 'node:fs/promises';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody, ruleMessage } from '../../auth/bodyValidation';
import { db } from '../../db/knex';
import { BENEFICIARY_STATUSES, BeneficiaryStatus, isBeneficiaryStatus } from '../../domain/pensionEligibility';
import { dayIn, DEFAULT_TIME_ZONE, isCalendarDate } from '../../domain/pensionPeriod';
import { readPensionRollCsv } from '../../domain/pensionRoll/rollCsv';
import { MESSAGES, NotFoundError, PayloadTooLargeError, ValidationError } from '../../errors';
import { Account } from '../../models';
import { Beneficiary, findBeneficiary, importRoll, listBeneficiaries, recordProofOfLife, setBeneficiaryStatus } from '../../pensions/roll';
import type { AppDependencies } from '../app';
import { authenticate } from '../middleware/authenticate';
import { assertSameOrganization, CanReadOrganization, currentUser, IsGestionnaire } from '../middleware/permissions';
import { jsonBody } from './auth';
import { dateFilter, integerParam, receiveFile, requireActiveOrganization, requireMultipart, singleQueryValue, uploadedFile } from './bulkTransfers';

const StatusBody = z.object({
  status: z.enum(BENEFICIARY_STATUSES),
  reason: z.string().trim().max(500).optional(),
});

const ProofOfLifeBody = z.object({
  date: z.string().refine(isCalendarDate, ruleMessage({ fr: 'doit être une date au format AAAA-MM-JJ', en: 'must be a date written YYYY-MM-DD' })),
});

export function pensionRollRouter(deps: AppDependencies): Router {
  const router = new Router({ prefix: '/api/pension-roll' });
  const readers = [authenticate(deps.config), CanReadOrganization];
  const writers = [authenticate(deps.config), IsGestionnaire, requireActiveOrganization];

  router.post('/import', ...writers, requireMultipart, receiveFile(deps.config), async (ctx) => {
    const organizationId = currentUser(ctx).organizationId!;
    const accounts = await Account.query(db()).where('organization_id', organizationId);
    const read = readPensionRollCsv(await readFile(uploadedFile(ctx).filepath), {
      payerCurrencies: [...new Set(accounts.map((account) => account.currency.trim()))],
      maxAmountPerLine: deps.config.bulk.maxAmountPerLineMinorUnits,
      maxRows: deps.config.bulk.maxRows,
      maxErrorsReported: deps.config.bulk.maxErrorsReported,
      today: today(),
    });
    if (!read.ok) {
      const { code, message, details } = read.failure;
      throw code === 'too_many_rows' ? new PayloadTooLargeError(code, message, details) : new ValidationError(code, message, details);
    }
    const counts = await importRoll(db(), organizationId, read.entries);
    ctx.log.info({ organizationId, ...counts }, 'pension roll imported');
    ctx.body = counts;
  });

  router.get('/', ...readers, async (ctx) => {
    const filters = {
      status: statusFilter(ctx.query.status),
      q: singleQueryValue(ctx.query.q, 'q')?.trim() || null,
      proofOfLifeBefore: dateFilter(ctx.query.proof_of_life_before, 'proof_of_life_before'),
      limit: integerParam(ctx.query.limit, 'limit', { defaultValue: 50, min: 1, max: 200 }),
      offset: integerParam(ctx.query.offset, 'offset', { defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
    };
    const { total, results } = await listBeneficiaries(db(), currentUser(ctx).organizationId!, filters);
    ctx.body = { total, count: results.length, limit: filters.limit, offset: filters.offset, results: results.map(present) };
  });

  router.get('/:id', ...readers, async (ctx) => {
    ctx.body = present(await ownBeneficiary(ctx, ctx.params.id));
  });

  router.post('/:id/status', ...writers, jsonBody(deps.config), async (ctx) => {
    const beneficiary = await ownBeneficiary(ctx, ctx.params.id);
    const body = parseBody(StatusBody, ctx.request.body, ctx.language);
    await setBeneficiaryStatus(db(), beneficiary.id, body.status, body.reason || null);
    ctx.log.info({ beneficiaryId: beneficiary.id, from: beneficiary.status, to: body.status }, 'beneficiary status changed');
    ctx.body = present((await findBeneficiary(db(), beneficiary.id))!);
  });

  router.post('/:id/proof-of-life', ...writers, jsonBody(deps.config), async (ctx) => {
    const beneficiary = await ownBeneficiary(ctx, ctx.params.id);
    const { date } = parseBody(ProofOfLifeBody, ctx.request.body, ctx.language);
    if (date > today()) {
      throw new ValidationError(
        'date_in_future',
        { fr: 'Une preuve de vie ne peut pas être datée dans le futur.', en: 'A proof of life cannot be dated in the future.' },
        { date: [{ fr: `${date} est postérieure à aujourd'hui`, en: `${date} is after today` }] },
      );
    }
    await recordProofOfLife(db(), beneficiary.id, date);
    ctx.body = present((await findBeneficiary(db(), beneficiary.id))!);
  });

  return router;
}

/** Today in the fund's time zone: a proof of life given this morning in Porto-Novo is not "tomorrow". */
function today(): string {
  return dayIn(new Date(), DEFAULT_TIME_ZONE);
}

async function ownBeneficiary(ctx: Context, id: string | undefined): Promise<Beneficiary> {
  if (id === undefined || !/^\d{1,9}$/.test(id)) throw new NotFoundError('not_found', MESSAGES.notFound);
  const beneficiary = await findBeneficiary(db(), Number(id));
  if (!beneficiary) throw new NotFoundError('not_found', MESSAGES.notFound);
  assertSameOrganization(currentUser(ctx), beneficiary.organization_id);
  return beneficiary;
}

function present(beneficiary: Beneficiary): Omit<Beneficiary, 'organization_id'> {
  const { organization_id: _organization, ...shown } = beneficiary;
  return shown;
}

function statusFilter(value: string | string[] | undefined): BeneficiaryStatus | null {
  const text = singleQueryValue(value, 'status');
  if (text === null || text === '') return null;
  const status = text.toUpperCase();
  if (!isBeneficiaryStatus(status)) {
    throw new ValidationError(
      'invalid_filter',
      { fr: `status doit être l'un de ${BENEFICIARY_STATUSES.join(', ')}.`, en: `status must be one of ${BENEFICIARY_STATUSES.join(', ')}.` },
      { field: 'status' },
    );
  }
  return status;
}
