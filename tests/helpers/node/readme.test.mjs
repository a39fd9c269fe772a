// The README's examples of the drop-in helpers are these very files, which CI runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = readme.slice(readme.indexOf('### Drop-in helpers'));

for (const [file, lang] of [['helpers/node/example.test.mjs', 'js'], ['helpers/python/example/conftest.py', 'python'],
  ['helpers/python/example/test_example.py', 'python']]) {
  test(`README's "Drop-in helpers" shows ${file} verbatim`, () => {
    assert.ok(readme.includes('### Drop-in helpers'), 'README has no "### Drop-in helpers" section');
    const text = readFileSync(new URL(file, root), 'utf8');
    const block = `\`\`\`${lang}\n${text}\`\`\``;
    assert.ok(section.includes(block), `README.md has no \`\`\`${lang} block equal to ${file}; paste the file into it`);
  });
}
