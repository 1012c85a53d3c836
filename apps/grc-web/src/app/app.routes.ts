import type { Route } from '@angular/router';
import { adminGuard, authGuard, permissionGuard } from './core/guards';
import { rgpdGuard } from './features/privacy/rgpd-guard';

export const appRoutes: Route[] = [
  {
    path: 'login',
    title: 'title.login',
    loadComponent: () => import('./features/login/login').then((m) => m.LoginPage),
  },
  // a sign-in link of `grc create-admin` (/bienvenue#<token>): choose one's password
  {
    path: 'bienvenue',
    title: 'title.welcome',
    loadComponent: () => import('./features/login/welcome').then((m) => m.WelcomePage),
  },
  // the citizen side: public, outside the agents' shell (features/public)
  {
    path: 'demande',
    title: 'title.publicRequest',
    loadComponent: () => import('./features/public/request-page').then((m) => m.PublicRequestPage),
  },
  {
    path: 'barometre',
    title: 'title.barometer',
    loadComponent: () => import('./features/public/barometer-page').then((m) => m.BarometerPage),
  },
  {
    path: 'suivi',
    title: 'title.publicTracking',
    loadComponent: () => import('./features/public/tracking-page').then((m) => m.PublicTrackingPage),
  },
  {
    path: '',
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    loadComponent: () => import('./features/shell/shell').then((m) => m.Shell),
    children: [
      {
        path: 'compte',
        title: 'title.account',
        loadComponent: () => import('./features/account/account-page').then((m) => m.AccountPage),
      },
      { path: '', pathMatch: 'full', redirectTo: 'inbox' },
      {
        path: 'inbox',
        title: 'title.inbox',
        canActivate: [permissionGuard('tickets.read', '/audit')],
        loadComponent: () => import('./features/inbox/inbox').then((m) => m.InboxPage),
      },
      {
        path: 'carte',
        title: 'title.requestsMap',
        canActivate: [permissionGuard('tickets.read', '/audit')],
        loadComponent: () => import('./features/map/requests-map').then((m) => m.RequestsMapPage),
      },
      {
        path: 'tickets/new',
        title: 'title.newTicket',
        loadComponent: () => import('./features/new-ticket/new-ticket').then((m) => m.NewTicketPage),
      },
      {
        path: 'tickets/:id',
        title: 'title.ticket',
        loadComponent: () => import('./features/ticket/ticket').then((m) => m.TicketPage),
      },
      {
        path: 'recherche',
        title: 'search.title',
        loadComponent: () => import('./features/live/search-page').then((m) => m.SearchPage),
      },
      {
        path: 'citizens/:id',
        title: 'title.citizen',
        loadComponent: () => import('./features/citizen/citizen-page').then((m) => m.CitizenPage),
      },
      {
        path: 'courrier',
        title: 'title.letters',
        canActivate: [permissionGuard('tickets.reply', '/inbox')],
        loadComponent: () => import('./features/letters/letters-page').then((m) => m.LettersPage),
      },
      {
        path: 'a-valider',
        title: 'title.awaiting',
        loadComponent: () => import('./features/workflows/awaiting').then((m) => m.AwaitingPage),
      },
      {
        path: 'a-valider/:id',
        title: 'title.workflowTicket',
        loadComponent: () => import('./features/workflows/participant').then((m) => m.WorkflowTicketPage),
      },
      {
        path: 'delegations',
        title: 'title.delegations',
        loadComponent: () => import('./features/workflows/delegations').then((m) => m.DelegationsPage),
      },
      {
        path: 'tableau-de-bord',
        title: 'title.dashboard',
        canActivate: [permissionGuard('reports.read', '/inbox')],
        loadComponent: () => import('./features/dashboard/dashboard').then((m) => m.DashboardPage),
      },
      {
        path: 'sla/breaches',
        title: 'title.breaches',
        loadComponent: () => import('./features/sla/breaches').then((m) => m.BreachesPage),
      },
      {
        path: 'notifications',
        title: 'title.notifications',
        loadComponent: () => import('./features/notifications/notifications-page').then((m) => m.NotificationsPage),
      },
      {
        path: 'audit',
        title: 'title.audit',
        canActivate: [permissionGuard('audit.read', '/inbox')],
        loadComponent: () => import('./features/audit/audit').then((m) => m.AuditPage),
      },
      {
        path: 'protection-donnees',
        title: 'title.privacySettings',
        canActivate: [rgpdGuard],
        loadComponent: () => import('./features/privacy/privacy-settings').then((m) => m.PrivacySettingsPage),
      },
      // the retention rules are the DPO's as much as the administrator's (also under Administration › Conservation)
      {
        path: 'conservation',
        title: 'title.adminRetention',
        canActivate: [rgpdGuard],
        loadComponent: () => import('./features/rgpd/retention').then((m) => m.RetentionPage),
      },
      {
        path: 'admin',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/admin/admin.routes').then((m) => m.adminRoutes),
      },
    ],
  },
  { path: '**', redirectTo: 'inbox' },
];
