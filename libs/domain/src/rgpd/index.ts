export * from './personal-data';
export * from './privacy-notice';
