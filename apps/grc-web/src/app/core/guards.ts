import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { hasPermission } from '@grc/domain';
import { map } from 'rxjs';
import { Auth } from './auth';

export const authGuard: CanActivateFn = (_route, state) => {
  const router = inject(Router);
  return inject(Auth)
    .ensure()
    .pipe(
      map((me) => {
        if (!me) return router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
        // a forced password change or a second factor the town requires comes before anything else
        const restricted = me.mustChangePassword === true || me.secondFactorEnrolmentRequired === true;
        return restricted && !state.url.startsWith('/compte') ? router.createUrlTree(['/compte']) : true;
      }),
    );
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
