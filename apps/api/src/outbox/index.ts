export * from './store';
export * from './worker';
