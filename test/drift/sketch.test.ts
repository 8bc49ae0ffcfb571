import { describe, expect, it } from 'vitest';
import { createSketch, mergeSketchesJson, sketchQuantiles, type SketchJson } from '../../src/drift/sketch.ts';
import { mulberry32, QuantileSketch } from '../../src/stats/index.ts';

/** The merge done with the stats sketch directly: the reference the drift helpers must equal. */
function mergedRef(sketches: readonly SketchJson[]): QuantileSketch {
  const s = QuantileSketch.fromJSON(structuredClone(sketches[0] as SketchJson));
  for (const x of sketches.slice(1)) s.merge(QuantileSketch.fromJSON(structuredClone(x)));
  return s;
}

function sketchOf(rand: () => number, n: number, scale: number): SketchJson {
  const s = createSketch();
  for (let i = 0; i < n; i++) s.add(scale * -Math.log(1 - rand()), 1 + (i % 3));
  return s.toJSON();
}

describe('stored sketches', () => {
  const rand = mulberry32(5);
  const parts = [sketchOf(rand, 800, 100), sketchOf(rand, 50, 3000), sketchOf(rand, 0, 1), sketchOf(rand, 400, 20)];
  const qs = [0, 0.05, 0.5, 0.95, 0.99, 1];

  it('mergeSketchesJson equals the merge done by the stats sketch itself, and its remembered parse answers as a fresh one', () => {
    const merged = mergeSketchesJson(parts);
    expect(merged).toEqual(mergedRef(parts).toJSON());
    // The first quantile call reads the remembered parse; a copy of the JSON is parsed afresh.
    const fresh = QuantileSketch.fromJSON(structuredClone(merged));
    expect(sketchQuantiles([merged], qs)).toEqual(qs.map((q) => fresh.quantile(q)));
    // Merging it again (as a baseline merges hours) does not change it.
    const before = JSON.stringify(merged);
    sketchQuantiles([merged, ...parts], qs);
    expect(JSON.stringify(merged)).toBe(before);
    expect(sketchQuantiles([merged], qs)).toEqual(qs.map((q) => fresh.quantile(q)));
  });

  it('a quantile of one sketch leaves it and its cached parse unchanged for the next merge', () => {
    const one = parts[0] as SketchJson;
    const alone = sketchQuantiles([one], qs);
    const both = sketchQuantiles([one, parts[3] as SketchJson], qs);
    expect(sketchQuantiles([one], qs)).toEqual(alone);
    expect(both).toEqual(qs.map((q) => mergedRef([one, parts[3] as SketchJson]).quantile(q)));
  });
});
