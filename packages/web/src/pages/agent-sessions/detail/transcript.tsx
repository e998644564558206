import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useMemo, useRef, useState } from 'react'
import type { Item } from '../../../data/agent-session'
import { ItemView } from './item-view'
import { createScrollState, ScrollStateContext } from './scroll-state'

type Row = { item: Item; result?: Item }

/**
 * Tool results go inside their call's row, and answers inside their request's row (permission or question);
 * one whose call or request is not there stands alone.
 */
export function toRows(items: Item[]): Row[] {
  const rows: Row[] = []
  const calls = new Map<string, Row>()
  const requests = new Map<string, Row>()
  for (const item of items) {
    const b = item.body
    const call =
      b.kind === 'tool_result'
        ? calls.get(b.callId)
        : b.kind === 'permission_decision' || b.kind === 'question_answer'
          ? requests.get(b.requestId)
          : undefined
    if (call && !call.result) {
      call.result = item
      continue
    }
    const row: Row = { item }
    if (b.kind === 'tool_call') calls.set(b.callId, row)
    if (b.kind === 'permission_request' || b.kind === 'question') requests.set(b.requestId, row)
    rows.push(row)
  }
  return rows
}

/**
 * The transcript, virtualized: only the rows near the viewport are in the page, so thousands of items scroll
 * smoothly. It follows new items while the reader is at the bottom, and stays put when they scrolled up.
 */
export function Transcript(props: {
  items: Item[]
  threadId: string
  readOnly: boolean
  onFork?: (item: Item) => void
}) {
  const rows = useMemo(() => toRows(props.items), [props.items])
  const scroller = useRef<HTMLDivElement>(null)
  const [scrolling] = useState(createScrollState)
  // Following the end until the reader scrolls away from it themselves (the list's own measuring scrolls too).
  const follow = useRef(true)
  const byReader = useRef(false)
  const reader = () => {
    byReader.current = true
  }
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 48,
    overscan: 6,
    // Renders with React's own scheduling, not synchronously inside each scroll event: long scrolls stay responsive.
    useFlushSync: false,
    getItemKey: (i) => rows[i]!.item.seq,
  })
  useEffect(() => {
    if (!follow.current || !rows.length) return
    byReader.current = false
    v.scrollToIndex(rows.length - 1, { align: 'end' })
  }, [rows.length, v])
  return (
    <div
      className="transcript"
      ref={scroller}
      role="log"
      aria-label="Transcript"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls; keyboard users need to reach it
      tabIndex={0}
      onWheel={reader}
      onTouchStart={reader}
      onKeyDown={reader}
      onPointerDown={reader}
      onScroll={(e) => {
        scrolling.ping()
        const el = e.currentTarget
        if (el.scrollHeight - el.scrollTop - el.clientHeight < 40) follow.current = true
        else if (byReader.current) follow.current = false
      }}
    >
      <ScrollStateContext.Provider value={scrolling}>
        <ol style={{ height: v.getTotalSize() }}>
          {v.getVirtualItems().map((vi) => {
            const row = rows[vi.index]!
            return (
              <li
                key={vi.key}
                data-index={vi.index}
                data-seq={row.item.seq}
                ref={v.measureElement}
                style={{ transform: `translateY(${vi.start}px)` }}
              >
                <RowView
                  row={row}
                  threadId={props.threadId}
                  readOnly={props.readOnly}
                  onFork={props.onFork}
                />
              </li>
            )
          })}
        </ol>
      </ScrollStateContext.Provider>
    </div>
  )
}

type RowProps = { row: Row; threadId: string; readOnly: boolean; onFork?: (item: Item) => void }

/** Rows are rebuilt for every new item, their items are not: a row is the same while its item and result are. */
const sameRow = (a: RowProps, b: RowProps) =>
  a.row.item === b.row.item &&
  a.row.result === b.row.result &&
  a.threadId === b.threadId &&
  a.readOnly === b.readOnly &&
  a.onFork === b.onFork

/** A row's content; scrolling or a new item re-renders the list, not the rows already on screen. */
const RowView = memo(function RowView(props: RowProps) {
  const { row } = props
  return (
    <>
      {props.onFork ? (
        <button
          type="button"
          className="fork link-button"
          aria-label={`Fork here, after item ${row.item.seq}`}
          onClick={() => props.onFork?.(row.item)}
        >
          Fork here
        </button>
      ) : null}
      <ItemView item={row.item} result={row.result} threadId={props.threadId} readOnly={props.readOnly} />
    </>
  )
}, sameRow)
