export * from './address-query';
export * from './ban';
export * from './geojson';
