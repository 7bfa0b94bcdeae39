/**
 * The language of the answer's human messages (errors, confirmations), from Accept-Language, French or English,
 * the fund's default (API_DEFAULT_LANGUAGE) otherwise. Codes stay English: this only chooses the words.
 */
import type { Middleware } from 'koa';
import { preferredLanguage } from '../../i18n/language';
import type { Language } from '../../i18n/message';

export function requestLanguage(fallback: Language): Middleware {
  return async (ctx, next) => {
    ctx.language = preferredLanguage(ctx.get('Accept-Language') || undefined, fallback);
    ctx.set('Content-Language', ctx.language);
    // The same URL answers in another language for another Accept-Language: caches must keep them apart.
    ctx.vary('Accept-Language');
    await next();
  };
}
