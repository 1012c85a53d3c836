export * from './holidays';
export * from './calendar';
export * from './policy';
export * from './clock';
export * from './escalation';
export * from './countdown';
