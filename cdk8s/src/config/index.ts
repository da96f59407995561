export * from './environment';
export * from './load';
export * from './promotion';
