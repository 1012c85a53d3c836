/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Libraries that only some requests or jobs need, loaded on their first use instead of at start: together they
 * held ≈ 30 MB of every process's heap (sources, compiled code, tables) whether or not the process ever made a
 * PDF, a spreadsheet, read an e-mail or judged a password (issue 16, docs/install.md#memory). Each is loaded
 * once, by a `require` with a literal name (webpack keeps it external), and typed by its own declarations.
 * `test/on-demand.spec.ts` fails when another file imports one of them as a value (a type import costs nothing).
 */
const once = <T>(load: () => T): (() => T) => {
  let loaded: T | undefined;
  return () => (loaded ??= load());
};

/** PDF documents: letters, the access letter, the monthly report (pdfkit with its fonts). */
export const pdfkit = once(() => require('pdfkit') as typeof import('pdfkit'));
/** XLSX exports of the figures (exceljs with its zip and XML writers). */
export const exceljs = once(() => require('exceljs') as typeof import('exceljs'));
/** E-mail intake: parsing a message (mailparser with its charset tables). */
export const mailparser = once(() => require('mailparser') as typeof import('mailparser'));
/** E-mail intake: reading a mailbox over IMAP. */
export const imapflow = once(() => require('imapflow') as typeof import('imapflow'));
/** Sending e-mails over SMTP. */
export const nodemailer = once(() => require('nodemailer') as typeof import('nodemailer'));
/** The QR code of a second factor's enrolment. */
export const qrcode = once(() => require('qrcode') as typeof import('qrcode'));
/** Password strength: zxcvbn-ts with its common (breached passwords, keyboards) and French dictionaries. */
export const zxcvbn = once(() => ({
  core: require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core'),
  common: require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common'),
  fr: require('@zxcvbn-ts/language-fr') as typeof import('@zxcvbn-ts/language-fr'),
}));

/** The packages above (and their subpaths), for test/on-demand.spec.ts. */
export const ON_DEMAND_PACKAGES = [
  'pdfkit',
  'exceljs',
  'mailparser',
  'imapflow',
  'nodemailer',
  'qrcode',
  '@zxcvbn-ts/core',
  '@zxcvbn-ts/language-common',
  '@zxcvbn-ts/language-fr',
];
