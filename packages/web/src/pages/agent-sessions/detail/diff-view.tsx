import { lazy, memo, Suspense, useState } from 'react'
import { type DiffMode, PlainDiff } from './plain-diff'
import { useAtRest } from './scroll-state'

// The viewer and its diff engine are a chunk of their own: the session page's first load stays small, and a
// transcript without file changes never fetches it.
const RichDiff = lazy(() => import('./rich-diff'))

/** A file change's diff, unified or split; a plain table until the viewer's chunk is in. */
export const DiffView = memo(function DiffView({ diff, path }: { diff: string; path: string }) {
  const [mode, setMode] = useState<DiffMode>('unified')
  // Mounted mid-scroll, the diff is a plain table until the scrolling stops: the viewer's set-up is the costly part.
  const atRest = useAtRest()
  return (
    <div className="diff-view">
      <fieldset className="diff-mode">
        <legend className="visually-hidden">Diff layout for {path}</legend>
        {(['unified', 'split'] as const).map((m) => (
          <label key={m}>
            <input type="radio" checked={mode === m} onChange={() => setMode(m)} /> {m}
          </label>
        ))}
      </fieldset>
      {atRest ? (
        <Suspense fallback={<PlainDiff diff={diff} path={path} mode={mode} />}>
          <RichDiff diff={diff} path={path} mode={mode} />
        </Suspense>
      ) : (
        <PlainDiff diff={diff} path={path} mode={mode} />
      )}
    </div>
  )
})
