import type { DataSource } from 'typeorm';

export interface PublicCommuneRow {
  id: string;
  code: string;
  public_host: string | null;
  is_default: boolean;
}

/** The communes whose public pages this install serves (`communes` is shared: no policy). */
export class PublicCommunesRepository {
  constructor(private readonly db: DataSource) {}

  all(): Promise<PublicCommuneRow[]> {
    return this.db.query(`SELECT id, code, public_host, is_default FROM communes ORDER BY code`);
  }
}
