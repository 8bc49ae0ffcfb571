import { describe, expect, it } from 'vitest';
import { LivenessTracker } from '../../src/queue/liveness.ts';

describe('LivenessTracker', () => {
  const make = () => {
    let t = 1_000_000;
    const live = new LivenessTracker({ now: () => t, lanes: { units: 2 }, idleMs: 60_000, maxJobMs: 3_600_000 });
    return { live, advance: (ms: number) => (t += ms) };
  };

  it('an idle worker with an empty queue is alive however long it idles', () => {
    const { live, advance } = make();
    advance(10 * 3_600_000);
    expect(live.assess({ units: 0 })).toEqual({ ok: true });
  });

  it('work arriving after a long idle period is not mistaken for a stuck worker', () => {
    const { live, advance } = make();
    advance(3_600_000);
    expect(live.assess({ units: 5 }).ok).toBe(true); // first seen now: the idle clock starts here
    advance(30_000);
    expect(live.assess({ units: 5 }).ok).toBe(true);
  });

  it('jobs waiting with free slots and no activity past the limit means stuck', () => {
    const { live, advance } = make();
    live.assess({ units: 3 });
    advance(61_000);
    const r = live.assess({ units: 3 });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/3 jobs waiting on units and 2 free slots/);
  });

  it('activity resets the clock; a full worker is busy, not stuck', () => {
    const { live, advance } = make();
    live.assess({ units: 3 });
    advance(50_000);
    live.started('units', 'a');
    live.started('units', 'b');
    advance(50_000);
    expect(live.assess({ units: 3 }).ok).toBe(true); // both slots busy
    live.finished('units', 'a');
    advance(30_000);
    expect(live.assess({ units: 3 }).ok).toBe(true); // activity 30 s ago
  });

  it('a job running past maxJobMs means stuck; an unknown waiting count (Redis down) never does', () => {
    const { live, advance } = make();
    live.started('units', 'slow');
    advance(3_600_001);
    expect(live.assess({ units: undefined }).reason).toMatch(/job slow on units has run for 3600 s/);
    live.finished('units', 'slow');
    advance(10 * 60_000);
    expect(live.assess({ units: undefined })).toEqual({ ok: true });
  });
});
