import type { Route } from '@angular/router';

export const adminRoutes: Route[] = [
  {
    path: '',
    loadComponent: () => import('./admin-layout').then((m) => m.AdminLayout),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'services' },
      { path: 'commune', title: 'title.adminTown', loadComponent: () => import('./town-settings').then((m) => m.TownSettingsAdmin) },
      { path: 'communes', title: 'title.adminCommunes', loadComponent: () => import('./communes').then((m) => m.CommunesAdmin) },
      { path: 'services', title: 'title.adminDepartments', loadComponent: () => import('./departments').then((m) => m.DepartmentsAdmin) },
      { path: 'agents', title: 'title.adminAgents', loadComponent: () => import('./agents').then((m) => m.AgentsAdmin) },
      { path: 'categories', title: 'title.adminCategories', loadComponent: () => import('./categories').then((m) => m.CategoriesAdmin) },
      {
        path: 'circuits',
        title: 'title.adminWorkflows',
        loadComponent: () => import('../workflows/admin-workflows').then((m) => m.AdminWorkflowsPage),
      },
      { path: 'routage', title: 'title.adminRouting', loadComponent: () => import('./routing-rules').then((m) => m.RoutingRulesAdmin) },
      { path: 'adresses', title: 'title.adminAddresses', loadComponent: () => import('./addresses').then((m) => m.AddressesAdmin) },
      { path: 'pack', title: 'title.adminPackImport', loadComponent: () => import('./pack-import').then((m) => m.PackImportAdmin) },
      { path: 'courriel', title: 'title.adminMail', loadComponent: () => import('../mail/mail-admin').then((m) => m.MailAdmin) },
      {
        path: 'connexion',
        title: 'title.adminIdentityProviders',
        loadComponent: () => import('./identity-providers').then((m) => m.IdentityProvidersAdmin),
      },
      {
        path: 'securite',
        title: 'title.adminSecurity',
        loadComponent: () => import('../account/security-settings').then((m) => m.SecuritySettingsAdmin),
      },
      { path: 'delais', title: 'title.adminSla', loadComponent: () => import('../sla/sla-admin').then((m) => m.SlaAdmin) },
      {
        path: 'conservation',
        title: 'title.adminRetention',
        loadComponent: () => import('../rgpd/retention').then((m) => m.RetentionPage),
      },
    ],
  },
];
