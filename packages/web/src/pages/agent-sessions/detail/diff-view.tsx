import { lazy, memo, Suspense, useState } from 'react'
import { type DiffMode, PlainDiff } from './plain-diff'

// The viewer and its diff engine are a chunk of their own: the session page's first load stays small, and a
// transcript without file changes never fetches it.
const RichDiff = lazy(() => import('./rich-diff'))

/** A file change's diff, unified or split; shown as a plain table until the viewer's chunk is in. */
export const DiffView = memo(function DiffView({ diff, path }: { diff: string; path: string }) {
  const [mode, setMode] = useState<DiffMode>('unified')
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
      <Suspense fallback={<PlainDiff diff={diff} path={path} mode={mode} />}>
        <RichDiff diff={diff} path={path} mode={mode} />
      </Suspense>
    </div>
  )
})
