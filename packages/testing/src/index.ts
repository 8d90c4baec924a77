export * from './fixtures';
export * from './until';
export * from './telegram';
export * from './words';
export * from './metrics';
export * from './browser';
