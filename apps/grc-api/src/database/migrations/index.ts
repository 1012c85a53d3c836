import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { TownSettings1763800000001 } from './1763800000001-town-settings';

/** Every migration, in order. Webpack bundles the API, so they are listed, not globbed. */
export const MIGRATIONS = [InitialSchema1763800000000, TownSettings1763800000001];
