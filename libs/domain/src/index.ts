export * from './ticket/channel';
export * from './ticket/priority';
export * from './ticket/ticket-status';
export * from './ticket/timeline';
export * from './access/roles';
export * from './citizen/requester';
export * from './contracts/api';
export * from './pack';
