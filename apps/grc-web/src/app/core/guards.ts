import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { hasPermission } from '@grc/domain';
import { map } from 'rxjs';
import { Auth } from './auth';

export const authGuard: CanActivateFn = (_route, state) => {
  const router = inject(Router);
  return inject(Auth)
    .ensure()
    .pipe(map((me) => (me ? true : router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } }))));
};

export const adminGuard: CanActivateFn = (_route, state) => {
  const router = inject(Router);
  return inject(Auth)
    .ensure()
    .pipe(
      map((me) => {
        if (!me) return router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
        return hasPermission(me.role, 'admin.config') ? true : router.createUrlTree(['/inbox']);
      }),
    );
};
