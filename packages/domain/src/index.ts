export * from './access';
export * from './errors';
export * from './fields';
export * from './offers';
export * from './pipeline';
export * from './transitions';
export * from './visibility';
export * from './changes';
