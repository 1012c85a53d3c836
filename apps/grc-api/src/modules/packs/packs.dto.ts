import { IsBoolean, IsObject } from 'class-validator';

/** POST /admin/pack/import: the pack's files (path → YAML text, e.g. `workflows/bindings.yaml`) and whether to only preview. */
export class PackImportDto {
  /** file path → text: `town.yaml`, `departments.yaml`…, `workflows/<id>.yaml`, `workflows/bindings.yaml` */
  @IsObject() files!: Record<string, string>;
  /** true: the differences only, nothing written */
  @IsBoolean() dryRun!: boolean;
}
