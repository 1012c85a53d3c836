import { isPointInPackArea, routeInPack } from './routing';
import type { TownPack } from './schema';

const square: Array<[number, number]> = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];
const pack: Pick<TownPack, 'categories' | 'routing'> = {
  categories: [{ code: 'cat', nameFr: 'C', nameEn: 'C', department: 'default', active: true }],
  routing: [
    { category: 'cat', department: 'later', areaName: null, area: null, position: 20 },
    { category: 'cat', department: 'north', areaName: 'N', area: square, position: 10 },
  ],
};

describe('pack routing', () => {
  it('tests points in a polygon', () => {
    expect(isPointInPackArea(0.5, 0.5, square)).toBe(true);
    expect(isPointInPackArea(1.5, 0.5, square)).toBe(false);
  });
  it('takes the first matching rule by position, then the category default', () => {
    expect(routeInPack(pack, 'cat', { lng: 0.5, lat: 0.5 })).toBe('north');
    expect(routeInPack(pack, 'cat', { lng: 5, lat: 5 })).toBe('later');
    expect(routeInPack(pack, 'cat', null)).toBe('later');
    expect(routeInPack({ ...pack, routing: [] }, 'cat', null)).toBe('default');
    expect(routeInPack(pack, 'nope', null)).toBeNull();
  });
});
