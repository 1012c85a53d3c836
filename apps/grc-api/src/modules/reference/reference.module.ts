import { Module } from '@nestjs/common';
import { CategoriesController } from './categories.controller';
import { CategoriesRepository } from './categories.repository';
import { CategoriesService } from './categories.service';
import { CategoryFieldsRepository } from './category-fields.repository';
import { DepartmentsController } from './departments.controller';
import { DepartmentsRepository } from './departments.repository';
import { DepartmentsService } from './departments.service';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRulesRepository } from './routing-rules.repository';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingService } from './routing.service';

const REPOSITORIES = [DepartmentsRepository, CategoriesRepository, CategoryFieldsRepository, RoutingRulesRepository];

/**
 * Departments, categories and routing rules (read: every agent; write: admins), and ticket routing.
 * The repositories hold every query on these tables; other modules use them instead of writing SQL.
 */
@Module({
  controllers: [DepartmentsController, CategoriesController, RoutingRulesController],
  providers: [...REPOSITORIES, DepartmentsService, CategoriesService, RoutingRulesService, RoutingService],
  exports: [RoutingService, ...REPOSITORIES],
})
export class ReferenceModule {}
