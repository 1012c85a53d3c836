import { Global, Module } from '@nestjs/common';
import { GRC_CONFIG, loadConfig } from '../config/config';

@Global()
@Module({ providers: [{ provide: GRC_CONFIG, useFactory: () => loadConfig() }], exports: [GRC_CONFIG] })
export class ConfigModule {}
