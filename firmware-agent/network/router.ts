// Routing by region code (docs/exchange.md §Routing), a pure function of who this box is, which boxes
// are paired below it and a message's destination.
//
// - '^' (every level above): apply here when received, and pass on up when there is an upstream.
// - '*' (every box below): apply here when received, and pass on to every paired box below.
// - a region code R: a city keeps what lies inside its region and sends everything else up; a province
//   keeps its own code, hands a matter in one of its cities to the box holding that city (or handles it
//   itself when no box does) and sends another province's matter up; the ministry hands it to the box
//   holding R's province, or handles it itself.
import type { Role } from '../config/model.js';
import { ministryAddress } from './messages.js';

export interface Self {
  role: Role;
  /** This box's address: its region code, or 000000 for the ministry. */
  address: string;
  hasUpstream: boolean;
  /** Regions held by active peers below this box. */
  peers: ReadonlySet<string>;
}

export interface Route {
  /** Apply the message on this box. */
  local: boolean;
  /** 'up' and/or downstream regions to pass it to. */
  hops: string[];
}

export function provinceOf(code: string): string {
  return `${code.slice(0, 2)}0000`;
}
export function cityOf(code: string): string {
  return `${code.slice(0, 4)}00`;
}

/** True when region `code` lies within the area a box at `address` (with `role`) serves. */
export function serves(role: Role, address: string, code: string): boolean {
  if (role === 'ministry') return true;
  if (role === 'province') return code.slice(0, 2) === address.slice(0, 2);
  return code.slice(0, 4) === address.slice(0, 4);
}

/**
 * Where a message goes from this box. `received` says whether it arrived from a peer (then '^' and '*'
 * also apply here) or was created here (then only passed on).
 */
export function route(self: Self, to: string, received: boolean): Route {
  const up = self.hasUpstream ? ['up'] : [];
  if (to === '^') return { local: received && self.role !== 'city', hops: up };
  if (to === '*') return { local: received, hops: [...self.peers].sort() };
  if (to === self.address) return { local: true, hops: [] };
  if (to === ministryAddress) return self.role === 'ministry' ? { local: true, hops: [] } : { local: false, hops: ['up'] };
  switch (self.role) {
    case 'city':
      return serves('city', self.address, to) ? { local: true, hops: [] } : { local: false, hops: ['up'] };
    case 'province': {
      if (!serves('province', self.address, to)) return { local: false, hops: ['up'] };
      const city = cityOf(to);
      return self.peers.has(city) ? { local: false, hops: [city] } : { local: true, hops: [] };
    }
    case 'ministry': {
      const province = provinceOf(to);
      return self.peers.has(province) ? { local: false, hops: [province] } : { local: true, hops: [] };
    }
  }
}

/** True when the box at `address` (a city, a province xx0000, or the ministry 000000) serves region `code`. */
export function addressServes(address: string, code: string): boolean {
  if (address === ministryAddress) return true;
  if (address.endsWith('0000')) return serves('province', address, code);
  return serves('city', address, code);
}

/** The region a peer must hold to originate `from`: itself, or (for a province) one of its cities. */
export function peerMayOriginate(peerRegion: string, peerRole: string, from: string): boolean {
  if (from === peerRegion) return true;
  if (peerRole === 'province') return from.slice(0, 2) === peerRegion.slice(0, 2) && from !== ministryAddress;
  return false;
}

/**
 * The six digits that begin the ticket numbers a box gives (design §4): its region code, except at the
 * ministry, whose configured region code (e.g. 110000) is also a province's. The ministry numbers its own
 * tickets 100000… (the national level; no GB/T 2260 province code begins with 10), so a province's ticket
 * transferred to the ministry can never collide with one the ministry numbered itself.
 */
export const ministryNumberPrefix = '100000';
export function ticketNumberRegion(role: Role, region: string): string {
  return role === 'ministry' ? ministryNumberPrefix : region;
}
