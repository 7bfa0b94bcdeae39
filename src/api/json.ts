/**
 * JSON answers that carry money as JSON integers (the accounts routes). JSON.stringify cannot write a bigint, and
 * going through a JavaScript number would round anything above 2^53: this writer puts a bigint's digits in the
 * text as they are, so the integer on the wire is exact at any size. Everything else is written by JSON.stringify.
 */
import type { Context } from 'koa';

export type JsonValue =
  null | boolean | number | bigint | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

export function stringifyJson(value: JsonValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isJsonArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  const members = Object.entries(value)
    .filter((entry): entry is [string, JsonValue] => entry[1] !== undefined)
    .map(([key, member]) => `${JSON.stringify(key)}:${stringifyJson(member)}`);
  return `{${members.join(',')}}`;
}

function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}

/** The answer as application/json, written by stringifyJson. */
export function respondJson(ctx: Context, status: number, value: JsonValue): void {
  ctx.status = status;
  // The type first: given a string body, Koa would otherwise label it text/plain.
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = stringifyJson(value);
}
