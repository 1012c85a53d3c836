import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Category } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { CategoriesService } from './categories.service';
import { CreateCategoryDto, UpdateCategoryDto } from './category.dto';
import { idParam } from './id-param';

@ApiTags('reference')
@Controller('categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @RequirePermission('reference.read')
  @Get()
  list(): Promise<Category[]> {
    return this.categories.list();
  }

  @RequirePermission('admin.config')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateCategoryDto): Promise<Category> {
    return this.categories.create(actor, body);
  }

  @RequirePermission('admin.config')
  @Put(':id')
  update(@CurrentActor() actor: Actor, @Param('id', idParam('Catégorie')) id: string, @Body() body: UpdateCategoryDto): Promise<Category> {
    return this.categories.update(actor, id, body);
  }
}
