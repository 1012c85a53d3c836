import type { DataSource } from 'typeorm';

/** Demo accounts of packs/demo-town used by the specs. */
export const ADMIN = 'admin@saint-aubin.fr';
export const VOIRIE_AGENT = 'julie.lefebvre@saint-aubin.fr';
export const VOIRIE_HEAD = 'thierry.moreau@saint-aubin.fr';
/** voirie and éclairage */
export const VOIRIE_ECLAIRAGE_AGENT = 'karim.benali@saint-aubin.fr';
export const ECLAIRAGE_HEAD = 'sebastien.girard@saint-aubin.fr';
/** head of the technical services' direction, above voirie */
export const DST_HEAD = 'philippe.garnier@saint-aubin.fr';
export const EV_AGENT = 'antoine.mercier@saint-aubin.fr';
export const EV_HEAD = 'claire.bonnet@saint-aubin.fr';
export const URBA_AGENT = 'emma.clarke@saint-aubin.fr';
export const URBA_OTHER = 'fatima.elamrani@saint-aubin.fr';
export const URBA_HEAD = 'olivier.chevalier@saint-aubin.fr';
/** head of the direction générale des services */
export const DGS = 'helene.marchand@saint-aubin.fr';
/** agent of propreté and of the GUP, a front-desk department (frontDesk): has the citizen directory */
export const FRONT_DESK_AGENT = 'mickael.fontaine@saint-aubin.fr';
/** head of the GUP (front desk) */
export const GUP_HEAD = 'samir.haddad@saint-aubin.fr';
/** an elected official (role elected) */
export const ELU = 'bernard.lucas@saint-aubin.fr';
/** the data protection officer (role dpo, attached to the DGS) */
export const DPO = 'dpo@saint-aubin.fr';

/** Looks things up by their stable codes, so specs do not depend on generated ids. */
export async function ids(db: DataSource) {
  const one = async (sql: string, params: unknown[] = []) => {
    const [row] = await db.query(sql, params);
    if (!row) throw new Error(`demo data missing: ${sql} ${params.join(',')}`);
    return row.id as string;
  };
  return {
    department: (code: string) => one(`SELECT id FROM departments WHERE code = $1`, [code]),
    category: (code: string) => one(`SELECT id FROM categories WHERE code = $1`, [code]),
    agent: (email: string) => one(`SELECT id FROM agents WHERE email = $1`, [email]),
    /** an agent of the role whose departments include this one */
    memberOf: (departmentCode: string, role: string) =>
      one(
        `SELECT a.id, a.email FROM agents a JOIN agent_departments ad ON ad.agent_id = a.id JOIN departments d ON d.id = ad.department_id
       WHERE d.code = $1 AND a.role = $2 AND a.active ORDER BY a.email LIMIT 1`,
        [departmentCode, role],
      ),
    emailOf: async (departmentCode: string, role: string) => {
      const [r] = await db.query(
        `SELECT a.email FROM agents a JOIN agent_departments ad ON ad.agent_id = a.id JOIN departments d ON d.id = ad.department_id
         WHERE d.code = $1 AND a.role = $2 AND a.active ORDER BY a.email LIMIT 1`,
        [departmentCode, role],
      );
      if (!r) throw new Error(`no ${role} in ${departmentCode}`);
      return r.email as string;
    },
  };
}
