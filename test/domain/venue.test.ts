import { describe, expect, it } from 'vitest';
import { venueOf } from '../../src/domain/venue.ts';

describe('venueOf', () => {
  it('reads a chat message\'s channel', () => {
    expect(venueOf({ kind: 'chat', source: 'slack', labels: { channel: ' C0PAY ' } })).toBe('channel C0PAY');
    expect(venueOf({ kind: 'chat', source: 'slack', labels: { channel: '' } })).toBeNull();
  });

  it('reads a support ticket\'s routing, the most specific first, scoped by its help desk', () => {
    expect(venueOf({ kind: 'support', source: 'zendesk', labels: { channel: 'web', group: '4', brand: '5446' } })).toBe('zendesk group 4');
    expect(venueOf({ kind: 'support', source: 'zendesk', labels: { group: ' ', brand: 5446 } })).toBe('zendesk brand 5446');
    expect(venueOf({ kind: 'support', source: 'freshdesk', labels: { product: 'Reporting' } })).toBe('freshdesk product Reporting');
  });

  it('gives none for a ticket\'s channel (how it arrived), another kind, or a value that is not text', () => {
    expect(venueOf({ kind: 'support', source: 'zendesk', labels: { channel: 'email' } })).toBeNull();
    expect(venueOf({ kind: 'alert', source: 'generic', labels: { group: 'Payments', channel: 'C1' } })).toBeNull();
    expect(venueOf({ kind: 'support', source: 'generic', labels: { group: true, brand: { id: 1 } } })).toBeNull();
  });
});
