import { ChangeDetectionStrategy, Component } from '@angular/core';
@Component({ selector: 'grc-x-TicketPage', changeDetection: ChangeDetectionStrategy.OnPush, template: '<h1>TODO</h1>' })
export class TicketPage {}
