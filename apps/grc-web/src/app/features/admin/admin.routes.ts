import type { Route } from '@angular/router';
export const adminRoutes: Route[] = [];
