export * from './environment';
export * from './load';
