import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { map } from 'rxjs';
import { Auth } from '../../core/auth';

/** The citizens' rights screens: holders of the `rgpd` permission (DPO, admins). */
export const rgpdGuard: CanActivateFn = (_route, state) => {
  const router = inject(Router);
  const auth = inject(Auth);
  return auth
    .ensure()
    .pipe(
      map((me) =>
        !me
          ? router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } })
          : auth.can('rgpd')
            ? true
            : router.createUrlTree(['/inbox']),
      ),
    );
};
