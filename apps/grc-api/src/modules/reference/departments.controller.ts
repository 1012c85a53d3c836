import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Department } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { CreateDepartmentDto, UpdateDepartmentDto } from './department.dto';
import { DepartmentsService } from './departments.service';
import { idParam } from './id-param';

@ApiTags('reference')
@Controller('departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @RequirePermission('reference.read')
  @Get()
  list(): Promise<Department[]> {
    return this.departments.list();
  }

  @RequirePermission('admin.config')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() body: CreateDepartmentDto): Promise<Department> {
    return this.departments.create(actor, body);
  }

  @RequirePermission('admin.config')
  @Put(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', idParam('Département')) id: string,
    @Body() body: UpdateDepartmentDto,
  ): Promise<Department> {
    return this.departments.update(actor, id, body);
  }
}
