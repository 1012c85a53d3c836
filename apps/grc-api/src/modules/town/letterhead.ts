import { pdfkit } from '../../common/on-demand';

/**
 * The town's letters on paper (the access letter of article 15, the replies by post): one A4 layout made with
 * pdfkit and its bundled standard fonts (Helvetica: WinAnsi covers French), nothing loaded from outside.
 * The letterhead (logo, sender, address), the recipient's block in the window of a DL envelope, the place
 * and date line, the subject, the salutation and the signature block.
 */

export interface Letterhead {
  /** the sender as it heads the letter (the town hall, or the controller of the personal data) */
  senderName: string;
  /** its postal address, one or more lines */
  senderAddress: string | null;
  senderEmail?: string | null;
  /** the town's logo (PNG or JPEG: what pdfkit draws; another type is left out) */
  logo?: { bytes: Buffer; type: string } | null;
  /** the town's name for the place line ("Saint-Aubin, le 1er décembre 2026") */
  townName: string;
  timezone: string;
}

export const letterDate = (d: Date | string, timezone: string): string =>
  new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: timezone }).format(new Date(d));

/** A new A4 letter with its document information. */
export function newLetter(info: { title: string; author: string; subject: string }): PDFKit.PDFDocument {
  const PDFDocument = pdfkit();
  return new PDFDocument({ size: 'A4', margin: 56, info: { Title: info.title, Author: info.author, Subject: info.subject } });
}

/** The letterhead at the top left: logo, sender's name in bold, address lines, e-mail. */
export function writeLetterhead(doc: PDFKit.PDFDocument, h: Letterhead): void {
  if (h.logo && (h.logo.type === 'image/png' || h.logo.type === 'image/jpeg')) {
    try {
      doc.image(h.logo.bytes, { fit: [120, 60] });
      doc.moveDown(0.5);
    } catch {
      // an unreadable image: the letter without its logo rather than no letter
    }
  }
  doc.font('Helvetica-Bold').fontSize(12).text(h.senderName);
  doc.font('Helvetica').fontSize(10);
  for (const line of (h.senderAddress ?? '').split(/\r?\n|,\s*(?=\d{5}\b)/)) if (line.trim()) doc.text(line.trim());
  if (h.senderEmail) doc.text(h.senderEmail);
  doc.moveDown(1.5);
}

/** The recipient's block, right-aligned (the window of the envelope). */
export function writeRecipient(doc: PDFKit.PDFDocument, lines: readonly string[]): void {
  for (const l of lines) doc.text(l, { align: 'right' });
  doc.moveDown(1.5);
}

/** "Saint-Aubin, le 1 décembre 2026", then the references (ours, the object). */
export function writePlaceAndDate(doc: PDFKit.PDFDocument, h: Letterhead, at: Date | string): void {
  doc.text(`${h.townName ? `${h.townName}, le` : 'Le'} ${letterDate(at, h.timezone)}`);
  doc.moveDown();
}

export function writeSubject(doc: PDFKit.PDFDocument, subject: string, reference?: string): void {
  if (reference) doc.font('Helvetica').text(`Nos références : ${reference}`);
  doc.font('Helvetica-Bold').text(`Objet : ${subject}`);
  doc.font('Helvetica').moveDown();
}

/** The signature block: on whose behalf ("Pour le maire et par délégation," by default), the signatory's title and name. */
export function writeSignature(doc: PDFKit.PDFDocument, who: { name: string; title?: string | null; behalf?: string }): void {
  doc.moveDown();
  doc.text(who.behalf ?? 'Pour le maire et par délégation,', { align: 'right' });
  if (who.title) doc.text(who.title, { align: 'right' });
  doc.moveDown(2);
  doc.font('Helvetica-Bold').text(who.name, { align: 'right' });
  doc.font('Helvetica');
}
