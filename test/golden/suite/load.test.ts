import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem, loadSuite, loadSuites, validateSuites } from '../../../src/golden/suite/index.ts';
import { suitesDir } from './fixtures.ts';

let t: ReturnType<typeof suitesDir>;
beforeEach(() => {
  t = suitesDir();
});
afterEach(() => t.rm());

const lines = (r: { errors: Parameters<typeof formatProblem>[0][] }) => r.errors.map((e) => formatProblem({ ...e, file: path.relative(t.dir, e.file) }));

describe('evalwatch suites', () => {
  it('loads cases: vars rendered into string and chat inputs, defaults, source lines', async () => {
    t.write(
      'qa.yaml',
      `name: qa
description: capitals
target: prod
defaultTest:
  vars: { tone: brief }
  threshold: 0.8
  tags: [geo]
  route: answer
  assert:
    - type: not-icontains
      value: as an ai
cases:
  - id: fr
    input: "Be {{ tone }}. Capital of {{ country }}?"
    vars: { country: France }
    expected: "Paris, {{ country }}"
    tags: [europe]
    assert:
      - type: equals
        value: Paris
        normalize: [case]
  - id: jp
    route: chat
    threshold: 1
    input:
      - { role: system, content: "Be {{ tone }}." }
      - { role: user, content: Capital of Japan? }
    output: Tokyo
    assert:
      - type: icontains
        value: tokyo
`,
    );
    const r = await loadSuites(t.dir);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const [s] = r.suites;
    expect(s).toMatchObject({ name: 'qa', description: 'capitals', target: 'prod', defaultAssert: [{ type: 'not-icontains', value: 'as an ai' }] });
    expect(s!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const [fr, jp] = s!.cases;
    expect(fr).toMatchObject({
      id: 'fr',
      input: 'Be brief. Capital of France?',
      vars: { tone: 'brief', country: 'France' },
      expected: 'Paris, France',
      threshold: 0.8,
      tags: ['geo', 'europe'],
      route: 'answer',
      assert: [{ type: 'equals', value: 'Paris', normalize: ['case'] }],
      source: { file: path.join(t.dir, 'qa.yaml'), line: 13 },
    });
    expect(fr!.output).toBeUndefined();
    expect(jp).toMatchObject({
      id: 'jp',
      input: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of Japan?' }],
      threshold: 1,
      route: 'chat',
      output: 'Tokyo',
      source: { line: 22 },
    });
  });

  it('reports every problem as file:line: key.path: message', async () => {
    t.write(
      'bad.yaml',
      `cases:
  - id: a
    input: hi
    assert:
      - type: contain
        value: x
      - type: icontains
        vlaue: x
  - id: a
    input: "Hello {{ nme }}"
    vars: { name: Ada }
    assert:
      - type: similar
      - type: regex
        value: "(open"
      - type: latency
      - type: regex
        value: x
        normalize: [case]
      - type: similar
        value: y
        threshold: 2
      - type: is-json
        value: { type: nope }
      - type: contains-any
        value: []
  - input: x
    expectd: y
  - id: d
`,
    );
    const r = await loadSuites(t.dir);
    expect(r.suites).toEqual([]);
    expect(lines(r)).toEqual([
      'bad.yaml:5: cases[0].assert[0].type: unknown assertion "contain" (did you mean "contains"?)',
      'bad.yaml:8: cases[0].assert[1].vlaue: unknown key "vlaue" (did you mean "value"?)',
      'bad.yaml:9: cases[1].id: duplicate id "a" (first used at line 2)',
      'bad.yaml:10: cases[1].input: undefined variable "nme" in {{ nme }} (vars: name)',
      'bad.yaml:13: cases[1].assert[0].value: similar needs a value, or an "expected" on the case',
      'bad.yaml:15: cases[1].assert[1].value: invalid regular expression: Invalid regular expression: /(open/: Unterminated group',
      'bad.yaml:16: cases[1].assert[2].threshold: latency needs a threshold (the limit: milliseconds)',
      'bad.yaml:19: cases[1].assert[3].normalize: normalize applies to equals, contains, icontains, contains-any, contains-all, icontains-any, icontains-all, starts-with, levenshtein; not to regex',
      'bad.yaml:22: cases[1].assert[4].threshold: expected a value from 0 to 1 (a similar score), got 2',
      'bad.yaml:24: cases[1].assert[5].value: invalid JSON Schema: schema is invalid: data/type must be equal to one of the allowed values, data/type must be array, data/type must match a schema in anyOf',
      'bad.yaml:26: cases[1].assert[6].value: contains-any needs a list of strings (or one comma-separated string)',
      // An unknown key does not hide the other problems of its case.
      'bad.yaml:27: cases[2].id: required: a stable id, unique in the suite (results are paired across runs by it)',
      'bad.yaml:28: cases[2].expectd: unknown key "expectd" (did you mean "expected"?)',
      'bad.yaml:29: cases[3].input: required: the prompt (a string or chat messages), or a suite-level "prompts" template rendered with vars',
    ]);
  });

  it('names the line of a YAML syntax error and of a wrong shape', async () => {
    t.write('syntax.yaml', 'cases:\n  - id: a\n    input: [unclosed\n  - id: b\n');
    t.write('shape.yaml', 'cases:\n  - id: a\n    input: { text: hi }\n    assert: 5\n');
    t.write('empty.yaml', 'name: empty\ncases: []\n');
    t.write('both.yaml', 'cases: [{ id: a, input: x }]\ntests: [{ vars: {} }]\n');
    t.write('toplevel.yaml', 'nmae: x\ncases: [{ id: a, input: x }]\n');
    const r = await loadSuites(t.dir);
    const got = lines(r);
    expect(got).toContain('both.yaml:2: tests: use either "cases" (evalwatch) or "tests" (promptfoo), not both');
    expect(got).toContain('empty.yaml:2: cases: no cases: add a "cases:" list (or promptfoo "tests:")');
    expect(got).toContain('shape.yaml:3: cases[0].input: expected a string or a list of {role, content} messages, got a mapping');
    expect(got).toContain('shape.yaml:4: cases[0].assert: expected array, got 5');
    expect(got.find((l) => l.startsWith('syntax.yaml:'))).toMatch(/^syntax\.yaml:[34]: not valid YAML: /);
    expect(got).toContain('toplevel.yaml:1: nmae: unknown key "nmae" (did you mean "name"?)');
    expect(r.suites).toEqual([]);
  });


  it('a typo at the top or a wrong value in a case does not hide the problems behind it', async () => {
    t.write(
      'typo.yaml',
      `defualtTest: {}
cases:
  - id: a
    input: hi
    threshold: 2
    assert:
      - type: contian
        value: x
  - id: b
    input: "{{ nme }}"
`,
    );
    const r = await loadSuites(t.dir);
    expect(lines(r)).toEqual([
      'typo.yaml:1: defualtTest: unknown key "defualtTest" (did you mean "defaultTest"?)',
      'typo.yaml:5: cases[0].threshold: must be ≤ 1, got 2',
      'typo.yaml:7: cases[0].assert[0].type: unknown assertion "contian" (did you mean "contains"?)',
      'typo.yaml:10: cases[1].input: undefined variable "nme" in {{ nme }} (vars: none)',
    ]);
    expect(r.suites).toEqual([]);
  });
  it('leaves a suite with errors out whole and loads the others', async () => {
    t.write('good.yaml', 'cases: [{ id: a, input: x, assert: [{ type: contains, value: x }] }]\n');
    t.write('bad.yaml', 'cases: [{ id: a, input: x }, { id: b }]\n');
    const r = await loadSuites(t.dir);
    expect(r.suites.map((s) => s.name)).toEqual(['good']);
    expect(r.errors).toHaveLength(1);
  });

  it('loads a case without assertions (it passes with score 1)', async () => {
    t.write('s.yaml', 'cases: [{ id: a, input: x }]\n');
    const r = await loadSuites(t.dir);
    expect(r.errors).toEqual([]);
    expect(r.suites[0]!.cases[0]!.assert).toEqual([]);
  });

  it('selects suites by name and checks pinned targets', async () => {
    t.write('a.yaml', 'cases: [{ id: x, input: x }]\n');
    t.write('b.yaml', 'target: staging\ncases: [{ id: x, input: x }]\n');
    const only = await loadSuites(t.dir, { only: ['a', 'zzz'] });
    expect(only.suites.map((s) => s.name)).toEqual(['a']);
    expect(only.errors.map(formatProblem)).toEqual(['(command line):0: no suite named "zzz" (suites: a, b)']);
    const targets = await loadSuites(t.dir, { targets: ['prod'] });
    expect(targets.suites.map((s) => s.name)).toEqual(['a']);
    expect(targets.errors[0]!.message).toBe('target: unknown target "staging" (config golden.targets: prod)');
  });

  it('a missing folder is one error, not a throw', async () => {
    const r = await loadSuites(path.join(t.dir, 'nope'));
    expect(r.suites).toEqual([]);
    expect(r.errors[0]!.message).toMatch(/cannot read the suites folder/);
    expect((await validateSuites(path.join(t.dir, 'nope'))).errors).toHaveLength(1);
  });
});

describe('promptfoo test files', () => {
  it('loads the common subset: prompts, defaultTest, tests, vars, threshold, metadata, options', async () => {
    t.write(
      'pf.yaml',
      `description: promptfoo style
prompts:
  - "Answer: {{question}}"
providers: [openai:gpt-4o-mini]
defaultTest:
  vars: { expected: unknown }
  options: { provider: openai:gpt-4o }
  assert:
    - type: not-icontains
      value: sorry
    - type: levenshtein
      value: "{{expected}}"
tests:
  - description: arithmetic
    vars: { question: "2+2?", expected: "4" }
    threshold: 0.5
    metadata: { owner: math }
    assert:
      - type: equals
        value: "4"
        weight: 2
        metric: exact
  - vars: { question: "Capital of France?" }
    options: { prefix: "Q: ", suffix: " A:" }
    assert:
      - type: icontains
        value: paris
`,
    );
    const r = await loadSuite(path.join(t.dir, 'pf.yaml'));
    expect(r.errors).toEqual([]);
    const [s] = r.suites;
    expect(s!.defaultAssert).toEqual([{ type: 'not-icontains', value: 'sorry' }]);
    const [a, b] = s!.cases;
    expect(a).toMatchObject({
      input: 'Answer: 2+2?',
      threshold: 0.5,
      // promptfoo's levenshtein: a maximum edit distance, default 5; templated defaults render per case.
      assert: [{ type: 'levenshtein', value: '4', threshold: 5 }, { type: 'equals', value: '4', weight: 2, metric: 'exact' }],
    });
    expect(b).toMatchObject({ input: 'Q: Answer: Capital of France? A:', assert: [{ type: 'levenshtein', value: 'unknown' }, { type: 'icontains' }] });
    expect(a!.id).toMatch(/^pf-[0-9a-f]{10}$/);
    expect(a!.id).not.toBe(b!.id);
    const warnings = r.warnings.map((w) => formatProblem({ ...w, file: 'pf.yaml' }));
    expect(warnings).toContain('pf.yaml:4: providers: ignored: the target comes from config.golden.targets (pin one with "target:")');
    expect(warnings).toContain(`pf.yaml:14: tests[0]: no id; derived "${a!.id}" from the case content (add "id: ${a!.id}" so results stay paired when the case is edited)`);
    expect(warnings).toContain('pf.yaml:7: defaultTest.options.provider: ignored');
    expect(warnings.filter((w) => w.includes('options'))).toHaveLength(1);
    // Derived ids are deterministic.
    const again = await loadSuite(path.join(t.dir, 'pf.yaml'));
    expect(again.suites[0]!.cases.map((c) => c.id)).toEqual([a!.id, b!.id]);
  });

  it('accepts a bare list of tests, chat prompts as JSON, file:// vars', async () => {
    t.write('doc.txt', 'The warranty lasts two years.');
    t.write('data.json', '{"name": "Ada"}');
    t.write('list.yaml', `- id: one
  input: "{{ doc }} Hi {{ who.name }}"
  vars: { doc: "file://doc.txt", who: "file://data.json" }
  assert: [{ type: contains, value: two years }]
`);
    t.write('chat.yaml', `prompts:
  - '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{q}}"}]'
tests:
  - id: c1
    vars: { q: Hello }
`);
    const r = await loadSuites(t.dir);
    expect(r.errors).toEqual([]);
    const byName = Object.fromEntries(r.suites.map((s) => [s.name, s]));
    expect(byName.list!.cases[0]!.input).toBe('The warranty lasts two years. Hi Ada');
    expect(byName.chat!.cases[0]!.input).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }]);
  });

  it('rejects what it cannot honour: several prompts, list vars, transforms, code assertions', async () => {
    t.write(
      'pf.yaml',
      `prompts: ["a {{x}}", "b {{x}}"]
tests:
  - vars: { x: 1 }
`,
    );
    t.write(
      'pf2.yaml',
      `prompts: ["a {{x}}"]
tests:
  - vars: { x: [1, 2] }
  - vars: { x: 1 }
    options: { transform: output.trim() }
    assert:
      - type: javascript
        value: output.length > 3
      - type: icontains
        value: a
        transform: output.toLowerCase()
`,
    );
    const got = lines(await loadSuites(t.dir));
    expect(got).toContain('pf.yaml:1: prompts: one prompt per suite (got 2); split the prompts into suites so each gets its own verdict');
    expect(got).toContain('pf2.yaml:3: tests[0].vars.x: a list var makes promptfoo run one test per item; evalwatch needs one case per value (write them out)');
    expect(got).toContain('pf2.yaml:5: tests[1].options.transform: not supported: evalwatch scores the output as the target returns it');
    expect(got).toContain('pf2.yaml:7: tests[1].assert[0].type: assertion "javascript" is not supported: code assertions are not run by evalwatch; express the check with regex, is-json or llm-rubric');
    expect(got.some((l) => l.startsWith('pf2.yaml:11: tests[1].assert[1].transform: not supported'))).toBe(true);
  });

  it('two promptfoo cases with the same content collide as a duplicate id', async () => {
    t.write('dup.yaml', 'tests:\n  - vars: { q: a }\n  - vars: { q: a }\nprompts: ["{{q}}"]\n');
    const got = lines(await loadSuites(t.dir));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^dup\.yaml:3: tests\[1\]\.id: duplicate id "pf-[0-9a-f]{10}" \(first used at line 2\)$/);
  });
});

describe('case-per-file folder suites', () => {
  it('takes suite keys from _suite.yaml and each case id from its file name', async () => {
    t.write('support/_suite.yaml', 'description: folder\ndefaultTest:\n  route: support\n  assert: [{ type: not-contains, value: sorry }]\n');
    t.write('support/refund.yaml', 'input: Refund?\nexpected: 5 days\nassert: [{ type: f1 }]\n');
    t.write('support/tracking.yaml', 'id: track-1\ninput: Where is it?\n');
    const r = await loadSuites(t.dir);
    expect(r.errors).toEqual([]);
    const [s] = r.suites;
    expect(s).toMatchObject({ name: 'support', description: 'folder', file: path.join(t.dir, 'support'), defaultAssert: [{ type: 'not-contains' }] });
    expect(s!.cases.map((c) => [c.id, c.route, c.source.file])).toEqual([
      ['refund', 'support', path.join(t.dir, 'support', 'refund.yaml')],
      ['track-1', 'support', path.join(t.dir, 'support', 'tracking.yaml')],
    ]);
  });

  it('skips a folder without YAML; a folder with only _suite.yaml has no cases', async () => {
    t.write('docs/policy.txt', 'Refunds within 30 days.');
    t.write('s.yaml', 'cases: [{ id: a, input: "{{ doc }}", vars: { doc: "file://docs/policy.txt" }, assert: [{ type: contains, value: x }] }]\n');
    const r = await loadSuites(t.dir);
    expect(r.errors).toEqual([]);
    expect(r.suites.map((s) => s.name)).toEqual(['s']);
    expect(r.suites[0]!.cases[0]!.input).toBe('Refunds within 30 days.');
    t.write('empty/_suite.yaml', 'description: nothing yet\n');
    expect(lines(await loadSuites(t.dir))).toEqual([`${path.join('empty', '_suite.yaml')}:1: no cases: add one YAML file per case to the folder`]);
  });

  it('errors name the case file; a bad case drops the whole folder suite', async () => {
    t.write('support/a.yaml', 'input: x\nassert: [{ type: equal, value: x }]\n');
    t.write('support/b.yaml', 'id: a\ninput: y\n');
    const r = await loadSuites(t.dir);
    expect(r.suites).toEqual([]);
    expect(lines(r)).toEqual([
      `${path.join('support', 'a.yaml')}:2: assert[0].type: unknown assertion "equal" (did you mean "equals"?)`,
    ]);
    t.write('support/a.yaml', 'input: x\n');
    const dup = await loadSuites(t.dir);
    expect(lines(dup)).toEqual([`${path.join('support', 'b.yaml')}:1: id: duplicate id "a" (first used at line 1 of a.yaml)`]);
  });
});

describe('contentHash', () => {
  const base = `name: h
defaultTest:
  assert: [{ type: not-contains, value: x }]
cases:
  - id: a
    description: first
    input: "Q {{ v }}"
    vars: { v: 1 }
    tags: [t]
    output: recorded
    assert: [{ type: contains, value: "1" }]
  - id: b
    input: other
`;
  async function hashOf(text: string): Promise<string> {
    const p = t.write('h.yaml', text);
    const r = await loadSuite(p);
    expect(r.errors).toEqual([]);
    return r.suites[0]!.contentHash;
  }

  it('ignores order, formatting, comments, descriptions, tags, routes and recorded outputs', async () => {
    const h = await hashOf(base);
    const reordered = `# a comment
name: h
cases:
  - id: b
    input: other
    route: somewhere
  - { id: a, input: "Q {{ v }}", vars: { v: 1 }, tags: [other], output: changed, assert: [{ value: "1", type: contains }] }
defaultTest:
  assert: [{ value: x, type: not-contains }]
`;
    expect(await hashOf(reordered)).toBe(h);
  });

  it.each([
    ['an assertion value', base.replace('value: "1"', 'value: "2"')],
    ['a threshold', base.replace('  - id: b', '    threshold: 0.5\n  - id: b')],
    ['an input', base.replace('input: other', 'input: another')],
    ['a var', base.replace('{ v: 1 }', '{ v: 2 }')],
    ['a default assertion', base.replace('value: x }', 'value: y }')],
    ['the target', `target: prod\n${base}`],
    ['a new case', `${base}  - id: c\n    input: new\n`],
    ['an expected', base.replace('input: other', 'input: other\n    expected: z')],
  ])('changes with %s', async (_what, text) => {
    const h = await hashOf(base);
    expect(await hashOf(text)).not.toBe(h);
  });
});
