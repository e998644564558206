import { DiffModeEnum, DiffView } from '@git-diff-view/react'
import '@git-diff-view/react/styles/diff-view-pure.css'
import { useMemo } from 'react'
import { type DiffMode, withHunkHeader } from './plain-diff'

/**
 * The diff in @git-diff-view/react, loaded lazily (see diff-view.tsx). Syntax highlighting is off: the lines
 * go through the viewer's own HTML escaping only, and a long transcript stays cheap to render.
 */
export default function RichDiff({ diff, path, mode }: { diff: string; path: string; mode: DiffMode }) {
  const data = useMemo(
    () => ({ oldFile: { fileName: path }, newFile: { fileName: path }, hunks: [withHunkHeader(diff)] }),
    [diff, path],
  )
  return (
    <section className="rich-diff" aria-label={`Diff of ${path}`} data-mode={mode}>
      <DiffView
        data={data}
        diffViewMode={mode === 'split' ? DiffModeEnum.Split : DiffModeEnum.Unified}
        diffViewHighlight={false}
        diffViewWrap
        diffViewFontSize={13}
      />
    </section>
  )
}
