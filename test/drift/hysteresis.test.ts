import { describe, expect, it } from 'vitest';
import { driftFingerprint, emptyHysteresisState, stepHysteresis, type HysteresisState, type Observation } from '../../src/drift/hysteresis.ts';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 2, 2, 10);
const opts = { fireAfter: { k: 2, m: 3 }, resolveAfter: 3 };
const fp = driftFingerprint('drift.rate', 'answer', 'refusal');
const obs = (breach: boolean, large = false): Observation[] => [
  { fingerprint: fp, kind: 'drift.rate', route: 'answer', subject: 'refusal', breach, large },
];

/** Applies a breach sequence hour by hour; returns the status after each window. */
function replay(seq: (boolean | 'large' | null)[], start: HysteresisState = emptyHysteresisState()) {
  let state = start;
  const out: string[] = [];
  seq.forEach((b, i) => {
    const end = T + (i + 1) * HOUR;
    const step = stepHysteresis(state, b === null ? [] : obs(b !== false, b === 'large'), end, HOUR, opts, end);
    state = step.state;
    out.push(step.transitions.get(fp)?.status ?? state.entries[fp]?.status ?? 'clear');
  });
  return { out, state };
}

describe('hysteresis', () => {
  it('fingerprints are stable 16-hex ids of kind|route|subject', () => {
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(driftFingerprint('drift.rate', 'answer', 'refusal')).toBe(fp);
    expect(driftFingerprint('drift.rate', 'chat', 'refusal')).not.toBe(fp);
  });

  it('fires after 2 of 3 windows, not after one', () => {
    expect(replay([true, false, false, false]).out).toEqual(['pending', 'pending', 'pending', 'clear']);
    expect(replay([true, true]).out).toEqual(['pending', 'firing']);
    expect(replay([true, false, true]).out).toEqual(['pending', 'pending', 'firing']);
    // 2 breaches 3 windows apart are not 2 of the last 3.
    expect(replay([true, false, false, true]).out.at(-1)).toBe('pending');
  });

  it('a large effect fires at once', () => {
    expect(replay(['large']).out).toEqual(['firing']);
  });

  it('resolves after 3 clean windows in a row; a breach resets the count', () => {
    expect(replay([true, true, false, false, false]).out).toEqual(['pending', 'firing', 'firing', 'firing', 'resolved']);
    expect(replay([true, true, false, false, true, false, false, false]).out).toEqual([
      'pending',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'resolved',
    ]);
  });

  it('untestable windows neither breach nor count as clean', () => {
    expect(replay([true, true, null, null, false, false, false]).out).toEqual([
      'pending',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'resolved',
    ]);
  });

  it('records since when the drift started (start of the first breached window)', () => {
    const { state } = replay([true, true]);
    expect(state.entries[fp]?.since).toBe(T);
    expect(state.entries[fp]?.firedAt).toBe(T + 2 * HOUR);
  });

  it('re-applying the same window is idempotent; an older window changes nothing', () => {
    const { state } = replay([true]);
    const end2 = T + 2 * HOUR;
    const once = stepHysteresis(state, obs(true), end2, HOUR, opts, end2);
    const twice = stepHysteresis(once.state, obs(true), end2, HOUR, opts, end2);
    expect(twice.state).toEqual(once.state);
    expect(twice.transitions.get(fp)?.status).toBe('firing');
    const old = stepHysteresis(once.state, obs(false), T + HOUR, HOUR, opts, end2);
    expect(old.state.entries).toEqual(once.state.entries);
  });

  it('forgets quiet subjects and is JSON round-trippable', () => {
    const { state } = replay([true, false, false, false, false]);
    expect(state.entries[fp]).toBeUndefined();
    const { state: s2 } = replay([true, true]);
    expect(JSON.parse(JSON.stringify(s2))).toEqual(s2);
  });
});

describe('breaches of tests pooled over two windows', () => {
  const spanObs = (spans: number): Observation[] => [{ ...(obs(true)[0] as Observation), spans }];

  it('count for the earlier window too when it has no result of its own: fires within the 2 windows', () => {
    // Previous window untestable (inconclusive), this one a corroborated 2-window breach.
    const { state } = replay([null]);
    const end = T + 2 * HOUR;
    const step = stepHysteresis(state, spanObs(2), end, HOUR, opts, end);
    expect(step.transitions.get(fp)).toMatchObject({ status: 'firing', changed: true, since: T });
    expect(step.state.entries[fp]?.history).toEqual([
      { end: T + HOUR, breach: true },
      { end, breach: true },
    ]);
  });

  it('do not overwrite an earlier window recorded clean, and count once without spans', () => {
    const { state } = replay([true, false, false]);
    const end = T + 4 * HOUR;
    // The window before was tested clean: the 2-window breach counts for this window only.
    expect(stepHysteresis(state, spanObs(2), end, HOUR, opts, end).transitions.get(fp)?.status).toBe('pending');
    expect(stepHysteresis(emptyHysteresisState(), spanObs(1), end, HOUR, opts, end).transitions.get(fp)?.status).toBe('pending');
  });
});

describe('pending episodes', () => {
  it('lists the earlier hours of pending subjects, capped at m − 1 hours', async () => {
    const { pendingEpisodes } = await import('../../src/drift/hysteresis-store.ts');
    const { state } = replay([true]);
    const windowStart = T + HOUR;
    const hours = (h: number) => ({ answer: { hour: h } }) as never;
    const p = pendingEpisodes(state, windowStart, hours);
    expect([...p.keys()]).toEqual(['answer|refusal']);
    expect(p.get('answer|refusal')).toHaveLength(1);
    const { state: firing } = replay([true, true]);
    expect(pendingEpisodes(firing, T + 2 * HOUR, hours).size).toBe(0);
  });
});
