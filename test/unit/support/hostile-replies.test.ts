import { describe, expect, it } from 'vitest';
import { applyBodyMutation, RawJson } from '../../support/hostile-replies.js';

describe('body mutations of the hostile-input tests', () => {
  it('insert into an array body adds an element, whatever the key, even `length`', () => {
    const insert = (key: string) => applyBodyMutation('[{"a":1},2]', { kind: 'insert', node: 1, key, json: new RawJson('"x"') }, { others: [] });
    expect(insert('length')).toBe('[{"a":1},2,"x"]');
    expect(insert('__proto__')).toBe('[{"a":1},2,"x"]');
  });

  it('insert into an object adds the key as data, `__proto__` included', () => {
    expect(applyBodyMutation('{"a":1}', { kind: 'insert', node: 0, key: '__proto__', json: new RawJson('2') }, { others: [] })).toBe('{"a":1,"__proto__":2}');
  });
});
