import { memo, type ReactNode, useMemo } from 'react'

/**
 * Agent-written Markdown rendered as React elements, never as HTML: nothing in it can run in the page (raw HTML
 * shows as text, links keep only http, https and mailto). The subset covers what briefs use: headings,
 * paragraphs, lists, quotes, code, rules, emphasis, inline code and links.
 */
export const Markdown = memo(function Markdown({ source }: { source: string }) {
  // Parsed once per text: a live transcript re-renders its rows far more often than their text changes.
  const rendered = useMemo(() => blocks(source), [source])
  return <div className="markdown">{rendered}</div>
})

/** `at`: the line a block or item starts on, its identity in the document. */
type Block = { at: number } & (
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'list'; ordered: boolean; items: Array<{ at: number; text: string }> }
  | { kind: 'quote'; text: string }
  | { kind: 'rule' }
  | { kind: 'paragraph'; text: string }
)

const LIST_ITEM = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/

function parse(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const out: Block[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    const at = i
    if (!line.trim()) {
      i++
      continue
    }
    const fence = /^\s*(```|~~~)/.exec(line)
    if (fence) {
      const body: string[] = []
      i++
      while (i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!)) body.push(lines[i++]!)
      i++
      out.push({ at, kind: 'code', text: body.join('\n') })
      continue
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      out.push({ at, kind: 'heading', level: heading[1]!.length, text: heading[2]! })
      i++
      continue
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push({ at, kind: 'rule' })
      i++
      continue
    }
    const item = LIST_ITEM.exec(line)
    if (item) {
      const ordered = item[2] !== undefined
      const items: Array<{ at: number; text: string }> = []
      while (i < lines.length) {
        const m = LIST_ITEM.exec(lines[i]!)
        const last = items.at(-1)
        if (m && (m[2] !== undefined) === ordered) items.push({ at: i, text: m[3]! })
        else if (last && lines[i]!.trim() && /^\s+/.test(lines[i]!)) last.text += ` ${lines[i]!.trim()}`
        else break
        i++
      }
      out.push({ at, kind: 'list', ordered, items })
      continue
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = []
      while (i < lines.length && /^\s*>/.test(lines[i]!)) body.push(lines[i++]!.replace(/^\s*>\s?/, ''))
      out.push({ at, kind: 'quote', text: body.join(' ') })
      continue
    }
    const body: string[] = []
    while (
      i < lines.length &&
      lines[i]!.trim() &&
      !/^(#{1,6}\s|\s*(```|~~~)|\s*>)/.test(lines[i]!) &&
      !LIST_ITEM.test(lines[i]!)
    )
      body.push(lines[i++]!.trim())
    out.push({ at, kind: 'paragraph', text: body.join(' ') })
  }
  return out
}

function blocks(source: string): ReactNode[] {
  return parse(source).map((b) => {
    const key = b.at
    switch (b.kind) {
      case 'heading': {
        // The page's own title is the h1: the document's levels start below it.
        const Tag = `h${Math.min(b.level + 1, 6)}` as 'h2'
        return <Tag key={key}>{inline(b.text)}</Tag>
      }
      case 'code':
        return (
          <pre key={key}>
            <code>{b.text}</code>
          </pre>
        )
      case 'list': {
        const items = b.items.map((item) => <li key={item.at}>{inline(item.text)}</li>)
        return b.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>
      }
      case 'quote':
        return <blockquote key={key}>{inline(b.text)}</blockquote>
      case 'rule':
        return <hr key={key} />
      default:
        return <p key={key}>{inline(b.text)}</p>
    }
  })
}

const INLINE =
  /(`+)([^`]+?)\1|\*\*(.+?)\*\*|__(.+?)__|\[([^\]]+)\]\(([^)\s]+)\)|\*([^*\s][^*]*?)\*|_([^_\s][^_]*?)_/g

/** Only links that leave for another page; `javascript:`, `data:` and the like stay text. */
export const safeHref = (href: string) => (/^(https?:\/\/|mailto:)/i.test(href) ? href : undefined)

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = []
  let last = 0
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index))
    const key = m.index
    if (m[2] !== undefined) out.push(<code key={key}>{m[2]}</code>)
    else if (m[3] !== undefined || m[4] !== undefined)
      out.push(<strong key={key}>{inline(m[3] ?? m[4]!)}</strong>)
    else if (m[5] !== undefined) {
      const href = safeHref(m[6]!)
      out.push(
        href ? (
          <a key={key} href={href} target="_blank" rel="noreferrer noopener">
            {inline(m[5])}
          </a>
        ) : (
          m[0]
        ),
      )
    } else out.push(<em key={key}>{inline(m[7] ?? m[8]!)}</em>)
    last = m.index + m[0].length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}
