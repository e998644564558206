import { describe, expect, test } from 'bun:test'
import { renderToStaticMarkup } from 'react-dom/server'
import { Markdown } from '../src/components/markdown'
import { lineDiff } from '../src/pages/artifacts/line-diff'

const html = (source: string) => renderToStaticMarkup(<Markdown source={source} />)

describe('agent Markdown', () => {
  test('the subset briefs use becomes elements, headings one level below the page title', () => {
    const out = html(
      '# Brief\n\nSome **bold** and *soft* text with `code`.\n\n- one\n- two\n\n1. first\n\n> quoted\n\n```\nx < y\n```\n\n---\n\nSee [the issue](https://github.com/o/r/issues/1).',
    )
    expect(out).toBe(
      '<div class="markdown"><h2>Brief</h2><p>Some <strong>bold</strong> and <em>soft</em> text with <code>code</code>.</p>' +
        '<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><blockquote>quoted</blockquote>' +
        '<pre><code>x &lt; y</code></pre><hr/>' +
        '<p>See <a href="https://github.com/o/r/issues/1" target="_blank" rel="noreferrer noopener">the issue</a>.</p></div>',
    )
  })

  test('HTML stays text and links that would run script or load data are not links', () => {
    const out = html(
      '<img src=x onerror=alert(1)> <script>alert(2)</script>\n\n[a](javascript:alert(3)) [b](data:text/html,x) [c](JaVaScRiPt:alert(4)) [d](mailto:me@example.com)',
    )
    expect(out).not.toContain('<img')
    expect(out).not.toContain('<script')
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(out).not.toContain('href="javascript')
    expect(out).not.toContain('href="data')
    expect(out).not.toContain('href="JaVaScRiPt')
    expect(out).toContain('[a](javascript:alert(3))')
    expect(out).toContain('<a href="mailto:me@example.com"')
  })
})

describe('line diff', () => {
  test('keeps common lines and marks what was removed and added, in reading order', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'removed', text: 'b' },
      { op: 'added', text: 'x' },
      { op: 'same', text: 'c' },
      { op: 'added', text: 'd' },
    ])
    expect(lineDiff('same', 'same')).toEqual([{ op: 'same', text: 'same' }])
  })
})
