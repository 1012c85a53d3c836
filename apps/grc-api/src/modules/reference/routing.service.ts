import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { routeTicket, type RoutingDecision } from '@grc/domain';
import { invalidField } from '../../common/problem';
import { CategoriesRepository } from './categories.repository';
import { RoutingRulesRepository } from './routing-rules.repository';

export interface RoutingLocation {
  lat: number;
  lng: number;
}

/**
 * Which department receives a new ticket: the category's rules (libs/domain `routeTicket`), read
 * with the caller's EntityManager so the decision belongs to the caller's transaction.
 */
@Injectable()
export class RoutingService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly rules: RoutingRulesRepository,
  ) {}

  /** The department id a ticket of `categoryId` at `location` goes to; 400 on `categoryId` when the category is unknown. */
  async route(manager: EntityManager, categoryId: string, location?: RoutingLocation | null): Promise<string> {
    return (await this.decide(manager, categoryId, location)).departmentId;
  }

  /** The full decision (rule used, reason and a French explanation for the timeline). */
  async decide(manager: EntityManager, categoryId: string, location?: RoutingLocation | null): Promise<RoutingDecision> {
    const defaultDepartmentId = await this.categories.defaultDepartmentOf(categoryId, manager);
    if (defaultDepartmentId === null) throw invalidField('categoryId', 'Catégorie introuvable.', 'category_not_found');
    const rules = await this.rules.forCategory(categoryId, manager);
    return routeTicket(rules, defaultDepartmentId, { categoryId, location: location ?? null });
  }
}
