import { ChangeDetectionStrategy, Component } from '@angular/core';
@Component({ selector: 'grc-x-NewTicketPage', changeDetection: ChangeDetectionStrategy.OnPush, template: '<h1>TODO</h1>' })
export class NewTicketPage {}
