import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/authenticated-agent';
import { invalidField, ProblemException } from '../../common/problem';
import { exportPackFiles, importPackFiles, PackInvalidError, type ImportResult } from './pack-transfer';

/** A pack file's path: a YAML file at the top or in workflows/. */
const PACK_PATH = /^(workflows\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(ya?ml|json)$/;
const MAX_FILES = 500;

/** The console's export (zip) and import (preview, then apply) of the town's configuration. */
@Injectable()
export class PacksService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  exportFiles(): Promise<Record<string, string>> {
    return exportPackFiles(this.db);
  }

  async import(actor: Actor, files: Record<string, unknown>, dryRun: boolean): Promise<ImportResult> {
    const entries = Object.entries(files);
    if (entries.length > MAX_FILES) throw invalidField('files', `Au plus ${MAX_FILES} fichiers.`, 'pack.too_many_files');
    for (const [path, text] of entries) {
      if (!PACK_PATH.test(path)) throw invalidField(`files.${path.slice(0, 100)}`, 'Nom de fichier de pack invalide.', 'pack.file_name');
      if (typeof text !== 'string') throw invalidField(`files.${path}`, 'Le contenu d’un fichier est un texte.', 'pack.file_text');
    }
    try {
      return await importPackFiles(this.db, files as Record<string, string>, { dryRun, actor });
    } catch (e) {
      if (!(e instanceof PackInvalidError)) throw e;
      throw new ProblemException(
        422,
        'Pack invalide',
        `Le pack a ${e.errors.length} erreur(s) ; rien n’a été importé.`,
        e.errors.slice(0, 200).map((x) => ({
          field: `files.${x.file}`,
          message: x.message,
          code: 'pack.invalid',
          params: { path: x.path, line: x.line ?? null },
        })),
      );
    }
  }
}
