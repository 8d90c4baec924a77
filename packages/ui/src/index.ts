export * from './ui';
export * from './words';
export * from './request-parts';
export * from './request-actions';
export * from './form';
export * from './request-form';
export * from './use-form-validation';
