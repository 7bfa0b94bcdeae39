/**
 * Writes rules_validation/pension-gateway.json and rules_callback/pension-gateway.json (documented in
 * mojaloop/README.md). Edit here, then run: node mojaloop/rules/build-rules.js
 */
const fs = require('fs');
const out = __dirname;
const api = { minorVersion: 0, majorVersion: 1, type: 'fspiop', asynchronous: true };
const END = "inboundEvent.emitter.removeAllListeners('newInbound')";
const js = (lines) => ({ scriptingEngine: 'javascript', exec: [...lines, END] });
const op = (path, method) => [
  { fact: 'operationPath', operator: 'equal', value: path },
  { fact: 'method', operator: 'equal', value: method },
];
const idEq = (v) => ({ fact: 'pathParams', operator: 'equal', path: 'ID', value: v });
const idRange = (lo, hi) => [
  { fact: 'pathParams', operator: 'numericGreaterThanInclusive', path: 'ID', value: lo },
  { fact: 'pathParams', operator: 'numericLessThanInclusive', path: 'ID', value: hi },
];
const cbHeaders = (source) => ({
  'Content-Type': '{$session.negotiatedContentType}',
  Date: '{$function.generic.curDate}',
  'FSPIOP-Source': source,
  'FSPIOP-Destination': '{$request.headers.fspiop-source}',
});
const errBody = (code, desc) => ({ errorInformation: { errorCode: code, errorDescription: desc } });
let id = 9000;
// Conditions on the request (operation, method, ids) are evaluated first (priority 10); those reading the rules'
// state ({$environment.pp...}) only when they match (default priority 1).
const prioritized = (condition) => (typeof condition.value === 'string' && condition.value.startsWith('{$environment') ? condition : { ...condition, priority: 10 });
const rule = (type, description, conditions, event) => ({
  ruleId: ++id, priority: 1, description, apiVersion: api, conditions: { all: conditions.map(prioritized) }, event, type, version: 1,
});
const DEFAULT_OWNER = { firstName: 'Pensionne', lastName: '{$request.params.ID}' };
const party = (fspId, owner = DEFAULT_OWNER) => ({
  party: {
    partyIdInfo: { partyIdType: '{$request.params.Type}', partyIdentifier: '{$request.params.ID}', fspId },
    name: `${owner.firstName} ${owner.lastName}`,
    personalInfo: { complexName: { firstName: owner.firstName, lastName: owner.lastName } },
  },
});
const partyCallback = (fspId, scripts, owner) => ({
  method: 'put', path: '/parties/{Type}/{ID}', type: 'FIXED_CALLBACK',
  params: { headers: cbHeaders(fspId), body: party(fspId, owner), ...(scripts ? { scripts } : {}) },
});
const RECORD_TIMEOUT = js([
  "var id = request.url.path.split('/')[3]",
  'var a = environment.pp.recovering504',
  'if (a.indexOf(id) === -1) { a.push(id) }',
]);
const CLEAR_TIMEOUT = js([
  "var id = request.url.path.split('/')[3]",
  'var a = environment.pp.recovering504',
  'var i = a.indexOf(id)',
  'if (i !== -1) { a.splice(i, 1) }',
]);
const RECORD_TRANSFER = (state) => js([
  'var pp = environment.pp',
  'var b = JSON.parse(request.body)',
  'var ext = (b.extensionList && b.extensionList.extension) || []',
  'var h = null',
  "for (var i = 0; i < ext.length; i++) { if (ext[i].key === 'homeTransactionId') { h = String(ext[i].value) } }",
  // The payee, from the transaction inside the ILP packet (base64url JSON), so that quotes need no script.
  'var p = null',
  "try { var raw = atob(String(b.ilpPacket).replace(/-/g, '+').replace(/_/g, '/')); var at = raw.indexOf('eyJ'); var data = /^[A-Za-z0-9_+\\/=-]+/.exec(raw.slice(at))[0]; p = String(JSON.parse(atob(data.replace(/-/g, '+').replace(/_/g, '/'))).payee.partyIdInfo.partyIdentifier) } catch (e) { p = null }",
  'if (!pp.ledger[b.transferId]) { pp.knownTransferIds.push(b.transferId) }',
  ...(state === 'ABORTED' ? ['if (pp.abortedIds.indexOf(b.transferId) === -1) { pp.abortedIds.push(b.transferId) }'] : []),
  `pp.ledger[b.transferId] = JSON.stringify({ state: '${state}', completedTimestamp: new Date().toISOString(), homeTransactionId: h, payee: p, amount: b.amount.amount, currency: b.amount.currency, payeeFsp: b.payeeFsp })`,
]);
const APPEND_COMPLETED_TS = js([
  "var id = request.url.path.split('/')[2]",
  'var r = environment.pp.ledger[id]',
  'if (r) { custom.appendEventBody({ completedTimestamp: JSON.parse(r).completedTimestamp }) }',
]);

const quotePayee = (msisdn) => ({ fact: 'body', operator: 'equal', path: 'payee.partyIdInfo.partyIdentifier', value: msisdn });
/** A quote callback: fee 0, commission 0, the payee receives the amount, unless `overrides` say otherwise. */
const quoteCallback = (overrides, scripts) => ({
  method: 'put', path: '/quotes/{ID}', type: 'FIXED_CALLBACK',
  params: {
    headers: cbHeaders('{$request.body.payee.partyIdInfo.fspId}'),
    body: {
      transferAmount: { currency: '{$request.body.amount.currency}', amount: '{$request.body.amount.amount}' },
      payeeReceiveAmount: { currency: '{$request.body.amount.currency}', amount: '{$request.body.amount.amount}' },
      payeeFspFee: { currency: '{$request.body.amount.currency}', amount: '0' },
      payeeFspCommission: { currency: '{$request.body.amount.currency}', amount: '0' },
      expiration: '{$request.body.expiration}',
      ...overrides,
    },
    ...(scripts ? { scripts } : {}),
  },
});
const TEN_TIMES_THE_AMOUNT = js([
  'var b = JSON.parse(request.body)',
  'custom.appendEventBody({ transferAmount: { currency: b.amount.currency, amount: String(Number(b.amount.amount) * 10) } })',
]);

const validation = [
  rule('validation', '22990000404: party not found (3204)', [...op('/parties/{Type}/{ID}', 'get'), idEq('22990000404')], {
    method: 'put', path: '/parties/{Type}/{ID}/error', type: 'FIXED_ERROR_CALLBACK',
    params: { headers: cbHeaders('{$config.FSPID}'), body: errBody('3204', 'Party not found') },
  }),
  rule('validation', '22990000504: lookup not answered (no callback) unless the previous lookup of this MSISDN timed out', [...op('/parties/{Type}/{ID}', 'get'), idEq('22990000504'), { fact: 'pathParams', operator: 'notIn', path: 'ID', value: '{$environment.pp.recovering504}' }], {
    type: 'NO_CALLBACK', params: { scripts: RECORD_TIMEOUT },
  }),
  rule('validation', '229900005040000-229900005049999: same as 22990000504, state per MSISDN', [...op('/parties/{Type}/{ID}', 'get'), ...idRange('229900005040000', '229900005049999'), { fact: 'pathParams', operator: 'notIn', path: 'ID', value: '{$environment.pp.recovering504}' }], {
    type: 'NO_CALLBACK', params: { scripts: RECORD_TIMEOUT },
  }),
  rule('validation', '22990000503: payee rejects the quote (5101)', [...op('/quotes', 'post'), { fact: 'body', operator: 'equal', path: 'payee.partyIdInfo.partyIdentifier', value: '22990000503' }], {
    method: 'put', path: '/quotes/{ID}/error', type: 'FIXED_ERROR_CALLBACK',
    params: { headers: cbHeaders('{$request.body.payee.partyIdInfo.fspId}'), body: errBody('5101', 'Payee rejected quote') },
  }),
  rule('validation', '22990000403 (payee FSP rejectingpayeefsp): payee rejects the transfer (5104), recorded ABORTED', [...op('/transfers', 'post'), { fact: 'body', operator: 'equal', path: 'payeeFsp', value: 'rejectingpayeefsp' }], {
    method: 'put', path: '/transfers/{ID}/error', type: 'FIXED_ERROR_CALLBACK',
    params: { headers: cbHeaders('{$request.body.payeeFsp}'), body: errBody('5104', 'Payee rejected transaction'), scripts: RECORD_TRANSFER('ABORTED') },
  }),
  rule('validation', 'GET /transfers/{ID} for a transfer this switch never saw: 3208', [...op('/transfers/{ID}', 'get'), { fact: 'pathParams', operator: 'notIn', path: 'ID', value: '{$environment.pp.knownTransferIds}' }], {
    method: 'put', path: '/transfers/{ID}/error', type: 'FIXED_ERROR_CALLBACK',
    params: { headers: cbHeaders('{$config.FSPID}'), body: errBody('3208', 'Transfer ID not found') },
  }),
];

const callback = [
  rule('callback', '22990000403: party found at an FSP that will reject the transfer', [...op('/parties/{Type}/{ID}', 'get'), idEq('22990000403')], partyCallback('rejectingpayeefsp')),
  rule('callback', '22990000504: lookup answered (the previous one timed out)', [...op('/parties/{Type}/{ID}', 'get'), idEq('22990000504')], partyCallback('payeefsp', CLEAR_TIMEOUT)),
  rule('callback', '229900005040000-229900005049999: lookup answered (the previous one timed out)', [...op('/parties/{Type}/{ID}', 'get'), ...idRange('229900005040000', '229900005049999')], partyCallback('payeefsp', CLEAR_TIMEOUT)),
  // The payee name check: wallets whose owner is named, for a roll or a `nom` column to be compared with.
  rule('callback', '22990000420: party "Awa Traoré"', [...op('/parties/{Type}/{ID}', 'get'), idEq('22990000420')], partyCallback('payeefsp', undefined, { firstName: 'Awa', lastName: 'Traoré' })),
  rule('callback', '22990000421: party "Awa Traoré"', [...op('/parties/{Type}/{ID}', 'get'), idEq('22990000421')], partyCallback('payeefsp', undefined, { firstName: 'Awa', lastName: 'Traoré' })),
  rule('callback', 'any other party: found at payeefsp', [...op('/parties/{Type}/{ID}', 'get')], partyCallback('payeefsp')),
  // Quotes that are not the payment asked for: our checks must fail the line before anything is sent.
  rule('callback', '22990000410: quote with 10 times the amount', [...op('/quotes', 'post'), quotePayee('22990000410')], quoteCallback({
    transferAmount: { currency: '{$request.body.amount.currency}', amount: '{$request.body.amount.amount}' },
  }, TEN_TIMES_THE_AMOUNT)),
  rule('callback', '22990000411: quote in USD', [...op('/quotes', 'post'), quotePayee('22990000411')], quoteCallback({
    transferAmount: { currency: 'USD', amount: '{$request.body.amount.amount}' },
    payeeReceiveAmount: { currency: 'USD', amount: '{$request.body.amount.amount}' },
    payeeFspFee: { currency: 'USD', amount: '0' },
    payeeFspCommission: { currency: 'USD', amount: '0' },
  })),
  rule('callback', '22990000412: quote with a payee FSP fee of 5000', [...op('/quotes', 'post'), quotePayee('22990000412')], quoteCallback({
    payeeFspFee: { currency: '{$request.body.amount.currency}', amount: '5000' },
  })),
  rule('callback', 'quote: fee 0, commission 0, payee receives the amount', [...op('/quotes', 'post')], quoteCallback({})),
  rule('callback', 'transfer: COMMITTED (fulfilment added by the toolkit), recorded in the ledger', [...op('/transfers', 'post')], {
    method: 'put', path: '/transfers/{ID}', type: 'FIXED_CALLBACK',
    params: {
      headers: cbHeaders('{$request.body.payeeFsp}'),
      body: { transferState: 'COMMITTED', completedTimestamp: '{$function.generic.curDateISO}' },
      scripts: RECORD_TRANSFER('COMMITTED'),
    },
  }),
  rule('callback', 'GET /transfers/{ID} of an aborted transfer: ABORTED', [...op('/transfers/{ID}', 'get'), { fact: 'pathParams', operator: 'in', path: 'ID', value: '{$environment.pp.abortedIds}' }], {
    method: 'put', path: '/transfers/{ID}', type: 'FIXED_CALLBACK',
    params: { headers: cbHeaders('{$config.FSPID}'), body: { transferState: 'ABORTED', completedTimestamp: '{$function.generic.curDateISO}' } },
  }),
  rule('callback', 'GET /transfers/{ID} of a committed transfer: COMMITTED with its completedTimestamp', [...op('/transfers/{ID}', 'get')], {
    method: 'put', path: '/transfers/{ID}', type: 'FIXED_CALLBACK',
    params: { headers: cbHeaders('{$config.FSPID}'), body: { transferState: 'COMMITTED', completedTimestamp: '{$function.generic.curDateISO}' }, scripts: APPEND_COMPLETED_TS },
  }),
];
fs.writeFileSync(out + '/rules_validation/pension-gateway.json', JSON.stringify(validation, null, 2) + '\n');
fs.writeFileSync(out + '/rules_callback/pension-gateway.json', JSON.stringify(callback, null, 2) + '\n');
