import { Module } from '@nestjs/common';
import { CategoriesController } from './categories.controller';
import { CategoriesService } from './categories.service';
import { DepartmentsController } from './departments.controller';
import { DepartmentsService } from './departments.service';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingService } from './routing.service';

/** Departments, categories and routing rules (read: every agent; write: admins), and ticket routing. */
@Module({
  controllers: [DepartmentsController, CategoriesController, RoutingRulesController],
  providers: [DepartmentsService, CategoriesService, RoutingRulesService, RoutingService],
  exports: [RoutingService],
})
export class ReferenceModule {}
