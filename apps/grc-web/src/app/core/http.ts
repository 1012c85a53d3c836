import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { API } from './api';
import { Auth } from './auth';
import { communePrefix } from './commune-path';

/** Same-origin API calls: cookie credentials, the CSRF header, and 401 → /login with the return URL. */
export const apiInterceptor: HttpInterceptorFn = (req, next) => {
  if (!req.url.startsWith(API)) return next(req);
  const router = inject(Router);
  const auth = inject(Auth);
  // under /c/<code>/…, the commune's API (core/commune-path.ts)
  const request = req.clone({ url: `${communePrefix()}${req.url}`, withCredentials: true, setHeaders: { 'X-Requested-With': 'grc' } });
  return next(request).pipe(
    catchError((err: unknown) => {
      if (
        err instanceof HttpErrorResponse &&
        err.status === 401 &&
        !req.url.startsWith(`${API}/auth/`) &&
        !router.url.startsWith('/login')
      ) {
        auth.clear();
        void router.navigate(['/login'], { queryParams: { returnUrl: router.url, expired: 1 } });
      }
      return throwError(() => err);
    }),
  );
};
