import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { ON_DEMAND_PACKAGES } from '../src/common/on-demand';

/**
 * The heavy libraries of `src/common/on-demand.ts` are loaded on first use (issue 16: memory per process). One
 * value import elsewhere — `import PDFDocument from 'pdfkit'` at the top of any module the app starts with — loads
 * the library in every process again; type imports are erased by the compiler and cost nothing. This reads every
 * .ts file of the API and of the libraries it bundles and lists the value imports and `require` calls of those
 * packages outside on-demand.ts.
 */
const SRC = join(__dirname, '..', 'src');
const LIBS = join(__dirname, '..', '..', '..', 'libs');
const HOME = join(SRC, 'common', 'on-demand.ts');

const heavy = (specifier: string) => ON_DEMAND_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`));

/** The value imports of on-demand packages in one file's code: `import …`, `export … from`, `import x = require()`, `require()`, `import()`. */
export function valueImports(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => found.push(`${fileName}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1} ${what}`);
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && heavy(n.moduleSpecifier.text)) {
      const c = n.importClause;
      const typeOnly =
        c !== undefined &&
        (c.isTypeOnly ||
          (!c.name &&
            c.namedBindings !== undefined &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) at(n, `import from '${n.moduleSpecifier.text}'`);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) && heavy(n.moduleSpecifier.text)) {
      if (!n.isTypeOnly) at(n, `export from '${n.moduleSpecifier.text}'`);
    } else if (
      ts.isImportEqualsDeclaration(n) &&
      ts.isExternalModuleReference(n.moduleReference) &&
      ts.isStringLiteral(n.moduleReference.expression) &&
      heavy(n.moduleReference.expression.text)
    ) {
      if (!n.isTypeOnly) at(n, `import = require('${n.moduleReference.expression.text}')`);
    } else if (
      ts.isCallExpression(n) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require')) &&
      n.arguments.length > 0 &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      heavy(n.arguments[0].text)
    ) {
      at(n, `${n.expression.getText(source)}('${n.arguments[0].text}')`);
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

describe('heavy libraries are loaded on demand (src/common/on-demand.ts)', () => {
  it('finds the value imports it is meant to find, and not the type imports', () => {
    const code = [
      "import PDFDocument from 'pdfkit';",
      "import * as QRCode from 'qrcode';",
      "import { simpleParser, type ParsedMail } from 'mailparser';",
      "import 'exceljs';",
      "export { ImapFlow } from 'imapflow';",
      "const t = require('nodemailer');",
      "const f = () => import('@zxcvbn-ts/language-fr');",
      "import x = require('pdfkit/js/data');",
      // not loaded at run time:
      "import type { Transporter } from 'nodemailer';",
      "import { type AddressObject, type ParsedMail as P } from 'mailparser';",
      "type D = typeof import('pdfkit');",
      "export type { MailboxObject } from 'imapflow';",
      "import { stringify } from 'csv-stringify/sync';",
      "const s = 'pdfkit';",
    ].join('\n');
    expect(valueImports('x.ts', code).map((f) => Number(/:(\d+) /.exec(f)?.[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('no file of the API or of the libraries imports one of them as a value, but on-demand.ts', () => {
    const files = [...tsFiles(SRC), ...tsFiles(LIBS)].filter((f) => f !== HOME);
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => valueImports(relative(join(SRC, '..'), f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
    // and on-demand.ts does load each of them
    expect(valueImports('on-demand.ts', readFileSync(HOME, 'utf8')).length).toBeGreaterThanOrEqual(ON_DEMAND_PACKAGES.length);
  });
});
