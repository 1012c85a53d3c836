import { communePrefix } from './commune-path';

describe('communePrefix', () => {
  it('reads the commune of a /c/<code>/… page, and nothing elsewhere', () => {
    expect(communePrefix('/c/val-fleuri/demande')).toBe('/c/val-fleuri');
    expect(communePrefix('/c/val-fleuri')).toBe('/c/val-fleuri');
    expect(communePrefix('/demande')).toBe('');
    expect(communePrefix('/c/')).toBe('');
    expect(communePrefix('/c/Val Fleuri/demande')).toBe('');
    expect(communePrefix('/cartes/x')).toBe('');
  });
});
