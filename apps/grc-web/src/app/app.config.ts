import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { APP_BASE_HREF } from '@angular/common';
import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { TitleStrategy, provideRouter, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { appRoutes } from './app.routes';
import { communePrefix } from './core/commune-path';
import { apiInterceptor } from './core/http';
import { provideI18n } from './core/i18n-transloco';
import { I18nTitleStrategy } from './core/title';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // a commune's public pages under /c/<code>/… (core/commune-path.ts)
    { provide: APP_BASE_HREF, useFactory: () => `${communePrefix()}/` },
    provideHttpClient(withFetch(), withInterceptors([apiInterceptor])),
    provideRouter(appRoutes, withComponentInputBinding(), withInMemoryScrolling({ scrollPositionRestoration: 'enabled' })),
    { provide: TitleStrategy, useExisting: I18nTitleStrategy },
    ...provideI18n(),
  ],
};
