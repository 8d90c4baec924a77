export * from './contract';
export * from './client';
export * from './datetime';
export * from './errors';
export * from './link';
export * from './signature';
