import {
  newLetter,
  writeLetterhead,
  writePlaceAndDate,
  writeRecipient,
  writeSignature,
  writeSubject,
  type Letterhead,
} from '../town/letterhead';
import type { LetterRow } from './letters.repository';

/**
 * A reply by post as a PDF, in French (the town's language), laid out by the town's letterhead helper (as the
 * access letter of article 15): letterhead, the citizen's postal address, place and date, our reference and the
 * object, the reply's text as validated, the signature block of who sent it (the approving head under a circuit).
 */
export function replyLetter(l: LetterRow, head: Letterhead): PDFKit.PDFDocument {
  const doc = newLetter({ title: `Réponse à votre demande ${l.reference}`, author: head.senderName, subject: l.subject });
  writeLetterhead(doc, head);
  writeRecipient(doc, [l.recipient_name, ...(l.recipient_address ?? '').split('\n').filter((x) => x.trim())]);
  writePlaceAndDate(doc, head, l.created_at);
  writeSubject(doc, `votre demande « ${l.subject} »`, l.reference);
  for (const paragraph of l.body.split(/\n{2,}/)) doc.text(paragraph.trim(), { align: 'justify' }).moveDown(0.6);
  writeSignature(doc, { name: l.signatory_name, title: l.signatory_title });
  doc.end();
  return doc;
}
