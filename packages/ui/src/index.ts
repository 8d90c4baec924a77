export * from './ui';
export * from './words';
export * from './request-parts';
export * from './form';
export * from './request-form';
