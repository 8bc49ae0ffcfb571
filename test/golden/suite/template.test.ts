import { describe, expect, it } from 'vitest';
import { renderTemplate, TemplateError } from '../../../src/golden/suite/index.ts';

describe('renderTemplate (nunjucks-like subset)', () => {
  const vars = { name: 'Ada', n: 3, ok: true, user: { city: 'Oslo', tags: ['a', 'b'] }, list: [{ x: 1 }], nil: null };

  it('renders variables, paths, filters and comments', () => {
    expect(renderTemplate('Hi {{name}}, {{ n }} {{ok}}', vars)).toBe('Hi Ada, 3 true');
    expect(renderTemplate('{{ user.city }} {{ user.tags[1] }} {{ list[0].x }} {{ user["city"] }}', vars)).toBe('Oslo b 1 Oslo');
    expect(renderTemplate('{{ name | upper }} {{ name|lower }} {{ pad | trim | upper }}', { ...vars, pad: '  x ' })).toBe('ADA ada X');
    expect(renderTemplate('{{ user | dump }} {{ user.tags | json }}', vars)).toBe('{"city":"Oslo","tags":["a","b"]} ["a","b"]');
    expect(renderTemplate('{{ user }}', vars)).toBe('{"city":"Oslo","tags":["a","b"]}');
    expect(renderTemplate('a{# note #}b', vars)).toBe('ab');
    expect(renderTemplate('{{ nil }}', vars)).toBe('null');
    expect(renderTemplate('no template at all', {})).toBe('no template at all');
  });

  it('an undefined variable is an error that lists the vars', () => {
    expect(() => renderTemplate('{{ nme }}', vars)).toThrow(TemplateError);
    expect(() => renderTemplate('{{ nme }}', { name: 1 })).toThrow('undefined variable "nme" in {{ nme }} (vars: name)');
    expect(() => renderTemplate('{{ user.country }}', vars)).toThrow('undefined variable "user.country"');
  });

  it('control tags, unknown filters and bad expressions are errors', () => {
    expect(() => renderTemplate('{% for x in list %}{{x}}{% endfor %}', vars)).toThrow(/not supported/);
    expect(() => renderTemplate('{{ name | title }}', vars)).toThrow('unknown filter "title"');
    expect(() => renderTemplate('{{ name + 1 }}', vars)).toThrow(/expected a variable name/);
  });
});
