import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { routeTicket, type RoutingDecision, type RoutingRuleData } from '@grc/domain';
import { invalidField } from '../../common/problem';

export interface RoutingLocation { lat: number; lng: number }

/**
 * Which department receives a new ticket: the category's rules (libs/domain `routeTicket`), read
 * with the caller's EntityManager so the decision belongs to the caller's transaction.
 */
@Injectable()
export class RoutingService {
  /** The department id a ticket of `categoryId` at `location` goes to; 400 on `categoryId` when the category is unknown. */
  async route(manager: EntityManager, categoryId: string, location?: RoutingLocation | null): Promise<string> {
    return (await this.decide(manager, categoryId, location)).departmentId;
  }

  /** The full decision (rule used, reason and a French explanation for the timeline). */
  async decide(manager: EntityManager, categoryId: string, location?: RoutingLocation | null): Promise<RoutingDecision> {
    const categories: Array<{ default_department_id: string }> = await manager.query(
      `SELECT default_department_id FROM categories WHERE id = $1`, [categoryId],
    );
    const category = categories[0];
    if (!category) throw invalidField('categoryId', 'Catégorie introuvable.', 'category_not_found');
    const rules: RoutingRuleData[] = await manager.query(
      `SELECT id, category_id AS "categoryId", department_id AS "departmentId", area_name AS "areaName", area, position
       FROM routing_rules WHERE category_id = $1 ORDER BY position, id`, [categoryId],
    );
    return routeTicket(rules, category.default_department_id, { categoryId, location: location ?? null });
  }
}
