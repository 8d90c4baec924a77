export * from './announcements';
export * from './delivery';
export * from './format';
export * from './history';
export * from './labels';
