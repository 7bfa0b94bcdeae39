/**
 * Multipart uploads: one file in the form field `file`, written to a temporary file by formidable (koa-body),
 * refused past the size limit before it is all read. Every temporary file is removed once the request is
 * answered, whatever the answer.
 */
import { rm } from 'node:fs/promises';
import type { File } from 'formidable';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { type AppError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors';

export function requireMultipart(ctx: Context): void {
  if (ctx.is('multipart/form-data')) return;
  throw new UnsupportedMediaTypeError('unsupported_media_type', {
    fr: 'Envoyez le fichier en multipart/form-data, dans un champ nommé « file ».',
    en: 'Send the file as multipart/form-data, in a field named "file".',
  });
}

export function receiveFile(maxBytes: number): Middleware {
  const parseMultipart: Middleware = koaBody({
    multipart: true,
    json: false,
    urlencoded: false,
    text: false,
    formidable: {
      maxFiles: 1,
      maxFileSize: maxBytes,
      maxTotalFileSize: maxBytes,
      // An empty file is answered `empty_file` by the file's reader, not a multipart error.
      allowEmptyFiles: true,
      minFileSize: 0,
      maxFields: 20,
      maxFieldsSize: 64 * 1024,
    },
    onError: (error) => {
      throw multipartError(error, maxBytes);
    },
  });
  return async (ctx, next) => {
    await parseMultipart(ctx, async () => {
      try {
        await next();
      } finally {
        await removeUploadedFiles(ctx);
      }
    });
  };
}

export function uploadedFile(ctx: Context): File {
  const file = ctx.request.files?.file;
  if (file && !Array.isArray(file)) return file;
  throw new ValidationError('file_required', {
    fr: 'Joignez le fichier CSV dans le champ de formulaire « file ».',
    en: 'Attach the CSV file in the form field "file".',
  });
}

async function removeUploadedFiles(ctx: Context): Promise<void> {
  const files = Object.values(ctx.request.files ?? {}).flat();
  await Promise.all(files.map((file) => rm(file.filepath, { force: true })));
}

// formidable's error codes (formidable/src/FormidableError.js).
const FORMIDABLE_FILE_TOO_LARGE = [1009, 1016];
const FORMIDABLE_TOO_MANY_FILES = 1015;

function multipartError(error: Error & { code?: number }, maxBytes: number): AppError {
  if (error.code !== undefined && FORMIDABLE_FILE_TOO_LARGE.includes(error.code)) {
    return new PayloadTooLargeError(
      'file_too_large',
      { fr: `Le fichier dépasse ${maxBytes} octets.`, en: `The file is larger than ${maxBytes} bytes.` },
      { max_bytes: maxBytes },
    );
  }
  if (error.code === FORMIDABLE_TOO_MANY_FILES) {
    return new ValidationError('file_required', {
      fr: 'Envoyez un seul fichier, dans le champ « file ».',
      en: 'Send one file only, in the field "file".',
    });
  }
  return new ValidationError('invalid_multipart', {
    fr: "Le corps multipart n'a pas pu être lu.",
    en: 'The multipart body could not be read.',
  });
}
