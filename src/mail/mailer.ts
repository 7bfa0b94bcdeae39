/**
 * Sending mail. With EMAIL_HOST set, through that SMTP server; otherwise each message is written as an
 * .eml file into the outbox folder (open it with any mail client), so a trial install needs no mail server
 * and a test can read exactly what would have been sent.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config';

export type MailSettings = Config['email'];

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export type MailDelivery =
  { delivered: 'smtp'; messageId: string } | { delivered: 'outbox'; messageId: string; file: string };

export async function sendMail(settings: MailSettings, mail: OutgoingMail): Promise<MailDelivery> {
  return settings.host === '' ? writeToOutbox(settings, mail) : sendThroughSmtp(settings, mail);
}

async function sendThroughSmtp(settings: MailSettings, mail: OutgoingMail): Promise<MailDelivery> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    // Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS, required when useTls.
    secure: settings.port === 465,
    requireTLS: settings.useTls,
    auth: settings.user === '' ? undefined : { user: settings.user, pass: settings.password },
  });
  try {
    const info = await transport.sendMail(message(settings, mail));
    return { delivered: 'smtp', messageId: info.messageId };
  } finally {
    transport.close();
  }
}

async function writeToOutbox(settings: MailSettings, mail: OutgoingMail): Promise<MailDelivery> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(message(settings, mail));
  const directory = path.resolve(settings.outboxDir);
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
  // Temporary passwords travel in these files: readable by the service account only.
  await writeFile(file, info.message as Buffer, { mode: 0o600 });
  return { delivered: 'outbox', messageId: info.messageId, file };
}

function message(settings: MailSettings, mail: OutgoingMail) {
  // Quoted-printable keeps ASCII (the passwords) verbatim in the file, whatever accents the text has.
  return {
    from: settings.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    textEncoding: 'quoted-printable' as const,
  };
}
