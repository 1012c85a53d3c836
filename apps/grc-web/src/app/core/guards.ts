import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { hasPermission, type Permission } from '@grc/domain';
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

/**
 * A page for holders of one permission; others go to `fallback` (the DPO, who handles no request, lands
 * on the audit trail instead of the inbox).
 */
export const permissionGuard =
  (permission: Permission, fallback: string): CanActivateFn =>
  (_route, state) => {
    const router = inject(Router);
    return inject(Auth)
      .ensure()
      .pipe(
        map((me) => {
          if (!me) return router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
          const ok = me.permissions ? me.permissions.includes(permission) : hasPermission(me.role, permission);
          if (ok) return true;
          const other = fallback === '/audit' ? 'audit.read' : 'tickets.read';
          const fallbackOk = me.permissions ? me.permissions.includes(other) : hasPermission(me.role, other);
          return router.createUrlTree([fallbackOk ? fallback : '/notifications']);
        }),
      );
  };
