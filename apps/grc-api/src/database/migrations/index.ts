import { InitialSchema1763800000000 } from './1763800000000-initial-schema';

/** Every migration, in order. Webpack bundles the API, so they are listed, not globbed. */
export const MIGRATIONS = [InitialSchema1763800000000];
