/**
 * Rendezvous hashing as the shield tier relies on it: every node computes the same home for a
 * key, a pool change moves only the keys it must, and weights set each parent's share.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rankByRendezvous, rendezvousScore, type RendezvousMember } from '../../../src/origin/rendezvous.ts';

const pool = (...ids: string[]): RendezvousMember[] => ids.map((id) => ({ id, weight: 1 }));
const keys = Array.from({ length: 4000 }, (_, i) => `example.com/objects/${i}?v=${i % 7}`);
const homeOf = (key: string, members: readonly RendezvousMember[]): string => rankByRendezvous(key, members)[0]!.id;

describe('rankByRendezvous', () => {
  // Pinned orders: nodes of every edgehook version must keep agreeing on them, and the
  // reference below (the documented rule written out with createHash) derives the same.
  it.each([
    ['example.com/', ['shield-c', 'shield-b', 'shield-a']],
    ['example.com/a.css', ['shield-b', 'shield-c', 'shield-a']],
    ['example.com/video/1.mp4', ['shield-b', 'shield-c', 'shield-a']],
    ['cdn.example:8080/x?y=1', ['shield-a', 'shield-c', 'shield-b']],
  ])('ranks %s as %j', (key, order) => {
    const members = pool('shield-a', 'shield-b', 'shield-c');
    expect(rankByRendezvous(key, members).map((m) => m.id)).toEqual(order);
    expect(referenceOrder(key, members)).toEqual(order);
  });

  it('is stable: the same key ranks the members the same way whatever order they are listed in', () => {
    const a = pool('p1', 'p2', 'p3', 'p4');
    const b = pool('p3', 'p1', 'p4', 'p2');
    for (const key of keys.slice(0, 500)) expect(rankByRendezvous(key, a).map((m) => m.id)).toEqual(rankByRendezvous(key, b).map((m) => m.id));
  });

  it('spreads keys evenly over equal members', () => {
    const members = pool('p1', 'p2', 'p3', 'p4');
    const counts = countHomes(keys, members);
    for (const id of ['p1', 'p2', 'p3', 'p4']) expect(counts.get(id)! / keys.length).toBeGreaterThan(0.21);
    for (const id of ['p1', 'p2', 'p3', 'p4']) expect(counts.get(id)! / keys.length).toBeLessThan(0.29);
  });

  it('moves only the keys a new member wins when one is added (about 1/N)', () => {
    const before = pool('p1', 'p2', 'p3');
    const after = pool('p1', 'p2', 'p3', 'p4');
    let moved = 0;
    for (const key of keys) {
      const was = homeOf(key, before);
      const now = homeOf(key, after);
      if (was !== now) {
        moved++;
        expect(now).toBe('p4');
      }
    }
    expect(moved / keys.length).toBeGreaterThan(0.2);
    expect(moved / keys.length).toBeLessThan(0.3);
  });

  it('moves only the removed member\'s keys when one leaves, each to its next choice', () => {
    const before = pool('p1', 'p2', 'p3', 'p4');
    const after = pool('p1', 'p2', 'p4');
    for (const key of keys) {
      const ranking = rankByRendezvous(key, before).map((m) => m.id);
      const now = homeOf(key, after);
      if (ranking[0] === 'p3') expect(now).toBe(ranking[1]);
      else expect(now).toBe(ranking[0]);
    }
  });

  it('gives a member a share of keys proportional to its weight', () => {
    const members: RendezvousMember[] = [{ id: 'big', weight: 3 }, { id: 'small', weight: 1 }];
    const share = countHomes(keys, members).get('big')! / keys.length;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
  });

  it('ranks every member exactly once, and handles pools of zero and one', () => {
    const members = pool('p1', 'p2', 'p3');
    expect(rankByRendezvous('k', members).map((m) => m.id).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(rankByRendezvous('k', [])).toEqual([]);
    expect(rankByRendezvous('k', pool('only')).map((m) => m.id)).toEqual(['only']);
  });

  it('scores inside (0, ∞) for every key', () => {
    for (const key of keys.slice(0, 200)) {
      const score = rendezvousScore({ id: 'p', weight: 1 }, key);
      expect(score).toBeGreaterThan(0);
      expect(Number.isFinite(score)).toBe(true);
    }
  });
});

function countHomes(list: readonly string[], members: readonly RendezvousMember[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of list) counts.set(homeOf(key, members), (counts.get(homeOf(key, members)) ?? 0) + 1);
  return counts;
}

/** The documented rule written out independently: sha1("id\nkey"), first 52 bits, -w/ln(u), highest first. */
function referenceOrder(key: string, members: readonly RendezvousMember[]): string[] {
  const score = (m: RendezvousMember): number => {
    const hex = createHash('sha1').update(`${m.id}\n${key}`).digest('hex').slice(0, 13);
    const u = (Number.parseInt(hex, 16) + 0.5) / 2 ** 52;
    return -m.weight / Math.log(u);
  };
  return [...members].sort((a, b) => score(b) - score(a)).map((m) => m.id);
}
