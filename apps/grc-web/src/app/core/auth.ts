import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { hasPermission, type LoginRequest, type Me, type Permission, type SecondFactorChallenge } from '@grc/domain';
import { Observable, catchError, map, of, shareReplay, switchMap, tap } from 'rxjs';
import { Api } from './api';

@Injectable({ providedIn: 'root' })
export class Auth {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  readonly me = signal<Me | null>(null);
  readonly isAdmin = computed(() => this.can('admin.config'));
  private pending: Observable<Me | null> | null = null;
  private loaded = false;

  can(permission: Permission): boolean {
    const me = this.me();
    // the API's list (a front desk's members have the citizen directory beyond their role); the role's as a fallback
    return !!me && (me.permissions ? me.permissions.includes(permission) : hasPermission(me.role, permission));
  }

  /** The current agent, fetched once (null when not signed in). */
  ensure(): Observable<Me | null> {
    if (this.loaded) return of(this.me());
    if (!this.pending) {
      this.pending = this.api.get<Me>('/auth/me').pipe(
        catchError(() => of(null)),
        tap((me) => {
          this.me.set(me);
          this.loaded = true;
          this.pending = null;
        }),
        shareReplay(1),
      );
    }
    return this.pending;
  }

  /** The session may only reach "Mon compte" (a forced password change, a second factor the town requires). */
  readonly restricted = computed(() => {
    const me = this.me();
    return !!me && (me.mustChangePassword === true || me.secondFactorEnrolmentRequired === true);
  });

  /** The agent, or 'second_factor' when the account has one: the code step follows (loginSecondFactor). */
  login(body: LoginRequest): Observable<Me | null | 'second_factor'> {
    return this.api.post<Me | SecondFactorChallenge>('/auth/login', body).pipe(
      // Me carries `secondFactor: boolean`; a challenge names the factor asked for
      switchMap((res) =>
        (res as Partial<SecondFactorChallenge> | null)?.secondFactor === 'totp' ? of('second_factor' as const) : this.reload(),
      ),
    );
  }

  /** The login's second step: the app's code or a recovery code. */
  loginSecondFactor(code: string): Observable<Me | null> {
    return this.api.post<Me>('/auth/login/second-factor', { code }).pipe(switchMap(() => this.reload()));
  }

  /** Reads the agent again (after a login, a password change, an enrolment). */
  reload(): Observable<Me | null> {
    this.loaded = false;
    this.pending = null;
    return this.ensure();
  }

  /**
   * Ends the local session; a session opened through an identity provider that supports RP-initiated logout
   * then sends the browser there (its address is asked for before the session ends), which comes back to /login.
   */
  logout(): void {
    this.api
      .get<{ url: string | null }>('/auth/oidc/end-session')
      .pipe(
        catchError(() => of({ url: null })),
        switchMap((end) =>
          this.api.post<unknown>('/auth/logout', {}).pipe(
            catchError(() => of(null)),
            map(() => end.url),
          ),
        ),
      )
      .subscribe((url) => {
        this.clear();
        if (url) window.location.assign(url);
        else void this.router.navigate(['/login']);
      });
  }

  /** Forget the session locally (after a 401). */
  clear(): void {
    this.me.set(null);
    this.loaded = true;
  }
}
