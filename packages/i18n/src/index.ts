export * from './announcements';
export * from './format';
export * from './history';
export * from './labels';
