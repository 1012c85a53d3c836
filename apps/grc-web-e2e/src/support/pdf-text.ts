import { execFile } from 'node:child_process';

/**
 * The text of a downloaded PDF, extracted by pdf-parse (pdf.js) in a plain Node process (pdf.js loads its worker
 * by a dynamic import, which Jest's module VM refuses), whitespace collapsed. The API's specs have the same helper
 * (apps/grc-api/test/support/pdf-text.ts); a project may not import another's files.
 */
export function pdfText(pdf: Buffer): Promise<string> {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', async () => {
      const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      const { text } = await parser.getText();
      await parser.destroy();
      process.stdout.write(text);
    });`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { cwd: __dirname, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`pdf-parse: ${stderr || error.message}`)) : resolve(stdout.replace(/\s+/g, ' ')),
    );
    child.stdin!.end(pdf);
  });
}
